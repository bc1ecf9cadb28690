package dev.quantgate.worker;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.Map;
import java.util.Objects;

/** How a job ended, as the worker reports it; on the wire a JSON object whose {@code type} names the case. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = JobOutcome.Succeeded.class, name = "succeeded"),
        @JsonSubTypes.Type(value = JobOutcome.NotApplicable.class, name = "not_applicable"),
        @JsonSubTypes.Type(value = JobOutcome.Failed.class, name = "failed")})
public sealed interface JobOutcome {

    /**
     * A variant was made, uploaded under the job's run and evaluated.
     *
     * @param evidence      the evidence content (schema {@code quantgate.evidence/v1}); the server hashes and stores it
     * @param variantSource where the variant's model directory now is, e.g. {@code runs:/<run>/model}
     * @param runParams     MLflow run params (the spec's fields)
     * @param runMetrics    MLflow run metrics (size, latency ratio, accuracy, fairness deltas, flip rate)
     */
    record Succeeded(Map<String, Object> evidence, String variantSource, Map<String, String> runParams,
                     Map<String, Double> runMetrics) implements JobOutcome {
        public Succeeded {
            Objects.requireNonNull(evidence, "evidence");
            Objects.requireNonNull(variantSource, "variantSource");
            runParams = Map.copyOf(runParams);
            runMetrics = Map.copyOf(runMetrics);
        }
    }

    /** The quantizer cannot help this model (e.g. a tree ensemble): no variant, a reason. */
    record NotApplicable(String reason, Map<String, Object> details) implements JobOutcome {
        public NotApplicable {
            Objects.requireNonNull(reason, "reason");
            details = details == null ? Map.of() : Map.copyOf(details);
        }
    }

    /**
     * The job could not be done.
     *
     * @param code      a stable code, e.g. {@code unsupported_flavor:sklearn}, {@code dataset_missing}, {@code corrupt_model}
     * @param permanent true when another attempt cannot help (bad input); false for outages
     */
    record Failed(String code, String message, boolean permanent) implements JobOutcome {
        public Failed {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }
}
