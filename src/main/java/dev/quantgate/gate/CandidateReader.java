package dev.quantgate.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.evidence.StoredEvidence;
import dev.quantgate.policy.rules.Candidate;
import dev.quantgate.registry.RegistryModelEntity;
import dev.quantgate.registry.RegistryModelTagEntity;
import dev.quantgate.registry.RegistryVersionEntity;
import dev.quantgate.registry.RegistryVersionTagEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A promotion candidate as the gate judges it: the mirrored model's and version's tags, the newest evidence of the
 * variant registered as that version (none: the judge denies as missing evidence), and its waivers.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class CandidateReader {

    static final int CACHED = 256;

    private final EvidenceStore evidence;
    private final WaiverStore waivers;
    private final ObjectMapper json;
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    public CandidateReader(EvidenceStore evidence, WaiverStore waivers, ObjectMapper json) {
        this.evidence = evidence;
        this.waivers = waivers;
        this.json = json;
    }

    /** The mirrored model's tags; 404 when the mirror does not hold the model version. */
    public Map<String, String> modelTags(String model, String version) {
        RegistryModelEntity m = model(model, version);
        mirroredVersion(m, version);
        Map<String, String> tags = new TreeMap<>();
        RegistryModelTagEntity.<RegistryModelTagEntity>list("modelId", m.id).forEach(t -> tags.put(t.key, t.value));
        return tags;
    }

    /** The mirrored model's tags, or none when the mirror does not hold the model (e.g. a name not yet used). */
    public Map<String, String> modelTagsIfMirrored(String model) {
        Map<String, String> tags = new TreeMap<>();
        RegistryModelEntity.findByName(model).filter(m -> m.deletedAt == null).ifPresent(m ->
                RegistryModelTagEntity.<RegistryModelTagEntity>list("modelId", m.id).forEach(t -> tags.put(t.key, t.value)));
        return tags;
    }

    /** The candidate as of now with its model's tags, each mirror row read once; 404 as {@link #modelTags}. */
    public Candidate read(String model, String version) {
        RegistryModelEntity m = model(model, version);
        RegistryVersionEntity v = mirroredVersion(m, version);
        Map<String, String> tags = new TreeMap<>();
        RegistryModelTagEntity.<RegistryModelTagEntity>list("modelId", m.id).forEach(t -> tags.put(t.key, t.value));
        return read(model, version, v, tags);
    }

    /** The candidate as of now (waivers not revoked; the judge ignores expired ones). */
    public Candidate read(String model, String version, Map<String, String> modelTags) {
        return read(model, version, mirroredVersion(model(model, version), version), modelTags);
    }

    private Candidate read(String model, String version, RegistryVersionEntity v, Map<String, String> modelTags) {
        Map<String, String> versionTags = new TreeMap<>();
        RegistryVersionTagEntity.<RegistryVersionTagEntity>list("versionId", v.id).forEach(t -> versionTags.put(t.key, t.value));
        Candidate.Evidence e = evidence.forVariant(model, v.version).map(this::evidence).orElse(null);
        return new Candidate(model, version, modelTags, versionTags, e, waivers.inForce(model, version));
    }

    /**
     * Stored evidence as the judge reads it. Evidence is immutable and content-addressed, so its parsed tree is kept
     * (at most {@value #CACHED} of them) and handed to every decision over it, never written to; a row whose text is
     * not the text the tree was parsed from is parsed again (and the judge's hash check sees it).
     */
    public Candidate.Evidence evidence(StoredEvidence stored) {
        String sha = stored.summary().sha256();
        Parsed p = parsed.get(sha);
        if (p == null || !p.text().equals(stored.canonicalJson())) {
            try {
                p = new Parsed(stored.canonicalJson(), json.readTree(stored.canonicalJson()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored evidence " + sha + " is not JSON", e);
            }
            if (parsed.size() >= CACHED) {
                parsed.clear();
            }
            parsed.put(sha, p);
        }
        return new Candidate.Evidence(sha, p.tree(), stored.summary().recordedAt());
    }

    /** A stored evidence text and its tree. */
    private record Parsed(String text, JsonNode tree) {
    }

    private static RegistryModelEntity model(String model, String version) {
        return RegistryModelEntity.findByName(model).filter(m -> m.deletedAt == null)
                .orElseThrow(() -> notMirrored(model, version));
    }

    private static RegistryVersionEntity mirroredVersion(RegistryModelEntity m, String version) {
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "version must be a model version number, was '" + version + "'");
        }
        return RegistryVersionEntity.findVersion(m.id, number).filter(v -> v.deletedAt == null)
                .orElseThrow(() -> notMirrored(m.name, version));
    }

    private static ApiException notMirrored(String model, String version) {
        return new ApiException(ErrorCode.MODEL_VERSION_NOT_FOUND, "The registry mirror holds no version " + version
                + " of model '" + model + "'");
    }
}
