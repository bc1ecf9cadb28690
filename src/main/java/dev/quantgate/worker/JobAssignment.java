package dev.quantgate.worker;

import dev.quantgate.policy.model.Calibration;
import dev.quantgate.policy.model.Evaluation;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One leased job: everything a worker needs to run it without asking the server again.
 *
 * @param leaseToken      names this lease in every heartbeat and report
 * @param attempt         1 for the first lease of the job, 2 after one expired or failed, ...
 * @param source          the version's {@code source} as MLflow gave it ({@code runs:/}, {@code models:/m-…}, ...)
 * @param sourceRunId     the version's run, or null when MLflow gave none
 * @param runId           the MLflow run QuantGate created for this job (variant artifacts go under it)
 * @param runArtifactUri  that run's artifact root, e.g. {@code mlflow-artifacts:/1/<run>/artifacts}
 * @param specJson        the quantization spec, canonical JSON
 * @param specSha256      its SHA-256
 * @param requirement     {@code cpu} or {@code gpu}: what the policy asked for
 * @param fallback        true when a GPU job was given to a CPU worker because the policy allows {@code fallback: cpu}
 * @param evaluation      the policy's evaluation section
 * @param evaluationSha256 SHA-256 of that section's canonical JSON (bound into the evidence)
 * @param datasetUri      the evaluation dataset, resolved from the version's tag, or null when the tag is missing
 * @param calibration     the policy's calibration section, or null
 * @param calibrationUri  the calibration dataset, or null when none is named
 * @param versionTags     the source version's tags as mirrored when the job was leased
 * @param heartbeatEvery  how often the worker should call {@link WorkerPort#heartbeat}
 */
public record JobAssignment(long jobId, String leaseToken, Instant leaseUntil, int attempt,
                            String model, String version, String source, String sourceRunId,
                            String runId, String runArtifactUri,
                            String scheme, String specJson, String specSha256, String requirement, boolean fallback,
                            String policyName, String policySha256,
                            Evaluation evaluation, String evaluationSha256, String datasetUri,
                            Calibration calibration, String calibrationUri,
                            Map<String, String> versionTags, java.time.Duration heartbeatEvery) {

    public JobAssignment {
        Objects.requireNonNull(leaseToken, "leaseToken");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(specJson, "specJson");
        Objects.requireNonNull(evaluation, "evaluation");
        versionTags = versionTags == null ? Map.of() : Map.copyOf(versionTags);
    }
}
