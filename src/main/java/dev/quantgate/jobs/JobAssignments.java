package dev.quantgate.jobs;

import dev.quantgate.policy.PolicyFileException;
import dev.quantgate.policy.PolicyLoader;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.model.Calibration;
import dev.quantgate.policy.model.DatasetRef;
import dev.quantgate.policy.model.Evaluation;
import dev.quantgate.policy.rules.PolicyInForce;
import dev.quantgate.policy.service.PolicyVersionEntity;
import dev.quantgate.worker.JobAssignment;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds a {@link JobAssignment} from the job row, the stored policy version it was planned under (its
 * evaluation and calibration sections, and the hash of the evaluation section's canonical JSON) and the
 * mirrored source version (source, run, tags naming the datasets).
 */
@ApplicationScoped
public class JobAssignments {

    /** A stored policy version, parsed once. */
    private record Policy(PolicyVersion version, String evaluationSha256) {
    }

    private final Map<String, Policy> policies = new ConcurrentHashMap<>();
    private final JobsConfig config;

    public JobAssignments(JobsConfig config) {
        this.config = config;
    }

    /** The assignment of a job just leased; throws {@link IllegalStateException} when it cannot be built. */
    JobAssignment build(JobEntity job, String token, Instant until, boolean fallback) {
        Policy policy = policies.computeIfAbsent(job.policySha256, JobAssignments::load);
        Evaluation evaluation = policy.version().policy().evaluation().orElseThrow(() -> new IllegalStateException(
                "policy " + job.policyName + " (" + job.policySha256 + ") has no evaluation section"));
        Calibration calibration = policy.version().policy().calibration().orElse(null);
        MirroredVersion source = MirroredVersion.find(job.modelName, job.version).orElseThrow(
                () -> new IllegalStateException("version " + job.version + " of " + job.modelName + " is not mirrored"));
        return new JobAssignment(job.id, token, until, job.attempts, job.modelName, Integer.toString(job.version),
                source.source(), source.runId(), job.runId, job.runArtifactUri, job.scheme, job.specJson,
                job.specSha256, job.requirement, fallback, job.policyName, job.policySha256,
                evaluation, policy.evaluationSha256(), datasetUri(evaluation.dataset(), source),
                calibration, calibration == null ? null : datasetUri(calibration.dataset(), source),
                source.tags(), config.heartbeatEvery());
    }

    /**
     * The dataset a policy names for this version: a {@code uri:} as written; a {@code tag:} through the
     * version's tag, whose value is a URI when it holds {@code :/}, else an artifact path of the version's run;
     * null when the tag (or, for a path, the run) is missing.
     */
    static String datasetUri(DatasetRef dataset, MirroredVersion source) {
        if (dataset.uri() != null) {
            return dataset.uri();
        }
        String value = source.tags().get(dataset.tag());
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.contains(":/")) {
            return value;
        }
        if (source.runId() == null) {
            return null;
        }
        String path = value.startsWith("/") ? value.substring(1) : value;
        return "runs:/" + source.runId() + "/" + path;
    }

    private static Policy load(String sha256) {
        PolicyVersionEntity stored = PolicyVersionEntity.<PolicyVersionEntity>findByIdOptional(sha256)
                .orElseThrow(() -> new IllegalStateException("policy version " + sha256 + " is not stored"));
        try {
            PolicyVersion version = PolicyLoader.load(stored.file, stored.sourceText.getBytes(StandardCharsets.UTF_8));
            // the same hash the gate's judge compares with the evidence's policy.evaluation_sha256
            return new Policy(version, PolicyInForce.evaluationSha256(stored.canonicalJson));
        } catch (PolicyFileException | java.io.UncheckedIOException e) {
            throw new IllegalStateException("stored policy version " + sha256 + " cannot be read: " + e.getMessage(), e);
        }
    }
}
