package dev.quantgate.policy.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.report.JsonWriter;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What is asked to be promoted: a model version (a variant), its tags and its registered model's tags, the
 * evidence recorded for it, and the waivers granted on it.
 *
 * @param evidence null when no evidence is recorded (the judgement then denies)
 * @param waivers  every waiver granted on the candidate; expired ones are ignored
 */
public record Candidate(String model, String version, Map<String, String> modelTags, Map<String, String> versionTags,
                        Evidence evidence, List<Waiver> waivers) {

    public Candidate {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        modelTags = modelTags == null ? Map.of() : new TreeMap<>(modelTags);
        versionTags = versionTags == null ? Map.of() : new TreeMap<>(versionTags);
        waivers = waivers == null ? List.of() : List.copyOf(waivers);
    }

    /**
     * One evidence record: its SHA-256 (of the canonical JSON of {@code content}), its content as stored and
     * when it was recorded. {@link EvidenceView} names the members a judgement reads.
     */
    public record Evidence(String sha256, JsonNode content, Instant recordedAt) {

        private static final ObjectMapper JSON = new ObjectMapper();

        /**
         * Evidence held as maps (e.g. with an {@code EvaluationReport.build} map inside), read as its stored JSON
         * would be: through {@link JsonWriter}, so undefined figures are null and intervals are arrays.
         */
        public static Evidence fromMap(String sha256, Map<String, ?> content, Instant recordedAt) {
            try {
                return new Evidence(sha256, JSON.readTree(JsonWriter.write(content)), recordedAt);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("evidence content is not JSON: " + e.getOriginalMessage(), e);
            }
        }
    }

    /** A time-limited waiver of one rule (by the rule's id), in force until {@code expiresAt} (exclusive). */
    public record Waiver(String id, String ruleId, Instant expiresAt) {

        public Waiver {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(ruleId, "ruleId");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        public boolean activeAt(Instant now) {
            return now.isBefore(expiresAt);
        }
    }
}
