package dev.quantgate.jobs;

import dev.quantgate.evidence.EvidenceIndex;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
import dev.quantgate.worker.JobOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies a worker's report to its job, in the transaction that checked the lease: evidence stored and the
 * run's results and the variant version written to MLflow through the outbox; not applicable; failed for
 * good (an unsupported flavor fails every job of the version alike); or failed for now (queued again after a
 * backoff, parked after the last attempt). The source version's status follows in the same transaction.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class JobOutcomes {

    private final EvidenceStore evidence;
    private final MlflowOutbox outbox;
    private final JobHistory history;
    private final SourceStatus status;

    public JobOutcomes(EvidenceStore evidence, MlflowOutbox outbox, JobHistory history, SourceStatus status) {
        this.evidence = evidence;
        this.outbox = outbox;
        this.history = history;
        this.status = status;
    }

    void apply(JobEntity job, JobOutcome outcome, Instant now) {
        if (outcome instanceof JobOutcome.Succeeded succeeded) {
            succeeded(job, succeeded, now);
        } else if (outcome instanceof JobOutcome.NotApplicable notApplicable) {
            history.finish(job, JobState.NOT_APPLICABLE, "not_applicable", notApplicable.reason(), now);
        } else if (outcome instanceof JobOutcome.Failed failed && failed.permanent()) {
            history.finish(job, JobState.FAILED, failed.code(), failed.message(), now);
            if (failed.code().startsWith(SourceStatus.UNSUPPORTED_FLAVOR)) {
                failSiblings(job, failed, now);
            }
        } else if (outcome instanceof JobOutcome.Failed failed) {
            history.retryOrPark(job, failed.code(), failed.message(), now);
        }
        status.settle(job.modelName, job.version);
    }

    private void succeeded(JobEntity job, JobOutcome.Succeeded outcome, Instant now) {
        String sha256 = evidence.put(outcome.evidence(), new EvidenceIndex(job.id, job.modelName, job.version,
                job.scheme, job.specSha256, job.policySha256));
        job.evidenceSha256 = sha256;
        history.finish(job, JobState.SUCCEEDED, null, null, now);
        String model = job.modelName;
        Map<String, Double> metrics = new LinkedHashMap<>();
        outcome.runMetrics().forEach((key, value) -> {
            if (Double.isFinite(value)) {
                metrics.put(key, value); // MLflow holds finite numbers only; the evidence keeps the rest
            }
        });
        outbox.enqueue(new MlflowWrite.LogRunResults(model, job.id, job.runId, outcome.runParams(), metrics,
                "FINISHED"), Planner.ACTOR);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(MirroredVersion.VARIANT_OF, Integer.toString(job.version));
        tags.put("quantgate.scheme", job.scheme);
        tags.put("quantgate.spec_sha256", job.specSha256);
        tags.put("quantgate.evidence_sha256", sha256);
        tags.put("quantgate.job_id", Long.toString(job.id));
        outbox.enqueue(new MlflowWrite.CreateVariantVersion(model, job.id, outcome.variantSource(), job.runId, tags),
                Planner.ACTOR);
    }

    /** The flavor is the source version's, so no other job of it can succeed either. */
    private void failSiblings(JobEntity job, JobOutcome.Failed failed, Instant now) {
        for (JobEntity sibling : JobEntity.ofVersion(job.modelName, job.version)) {
            if (!sibling.id.equals(job.id) && !sibling.jobState().terminal()) {
                JobEntity locked = JobEntity.locked(sibling.id).orElseThrow();
                history.finish(locked, JobState.FAILED, failed.code(), failed.message(), now);
            }
        }
    }
}
