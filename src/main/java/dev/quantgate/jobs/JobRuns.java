package dev.quantgate.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.kernel.AfterCommit;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.WriteConfirmed;
import dev.quantgate.mlflow.outbox.WriteParked;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What MLflow's answers to the jobs' writes mean for the jobs, inside the outbox's transaction that records
 * the write as sent: a created run queues its job (workers are woken after the commit); a registered variant
 * version is recorded on the job and its evidence; a refused run creation fails its job.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class JobRuns {

    private static final Logger LOG = Logger.getLogger(JobRuns.class);

    private final JobQueue queue;
    private final EvidenceStore evidence;
    private final SourceStatus status;
    private final JobHistory history;
    private final AuditLog audit;
    private final AfterCommit afterCommit;
    private final Clock clock;

    public JobRuns(JobQueue queue, EvidenceStore evidence, SourceStatus status, JobHistory history, AuditLog audit,
                   AfterCommit afterCommit, Clock clock) {
        this.queue = queue;
        this.evidence = evidence;
        this.status = status;
        this.history = history;
        this.audit = audit;
        this.afterCommit = afterCommit;
        this.clock = clock;
    }

    void onConfirmed(@Observes WriteConfirmed confirmed) {
        if (confirmed.write() instanceof MlflowWrite.CreateJobRun run) {
            runCreated(run.jobId(), confirmed.answer());
        } else if (confirmed.write() instanceof MlflowWrite.CreateVariantVersion variant) {
            variantRegistered(variant.jobId(), confirmed.answer());
        }
    }

    void onParked(@Observes WriteParked parked) {
        if (parked.write() instanceof MlflowWrite.CreateJobRun run) {
            JobEntity job = JobEntity.locked(run.jobId()).orElse(null);
            if (job == null || job.jobState() != JobState.PREPARING) {
                return;
            }
            history.finish(job, JobState.FAILED, "mlflow_run_refused", "MLflow refused to create the job's run: "
                    + parked.reason(), now());
            status.settle(job.modelName, job.version);
        } else if (parked.write() instanceof MlflowWrite.CreateVariantVersion variant) {
            LOG.errorf("Job %d: MLflow refused to register its variant version: %s", variant.jobId(), parked.reason());
        }
    }

    private void runCreated(long jobId, JsonNode answer) {
        JobEntity job = JobEntity.locked(jobId).orElse(null);
        if (job == null || job.jobState() != JobState.PREPARING) {
            return;
        }
        Instant now = now();
        job.runId = text(answer, "run_id");
        job.runArtifactUri = text(answer, "artifact_uri");
        job.state = JobState.QUEUED.id();
        job.nextAttemptAt = now;
        job.updatedAt = now;
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("run_id", job.runId);
        payload.put("requirement", job.requirement);
        audit.append(Planner.ACTOR, "job.queued", job.subject(), payload);
        afterCommit.run(queue::wake);
    }

    private void variantRegistered(long jobId, JsonNode answer) {
        JobEntity job = JobEntity.locked(jobId).orElse(null);
        String version = text(answer, "version");
        if (job == null || version == null || job.variantVersion != null) {
            return;
        }
        try {
            job.variantVersion = Integer.valueOf(version.trim());
        } catch (NumberFormatException e) {
            // throwing would roll the outbox's record back and send the write again, for the same answer
            LOG.errorf("Job %d: MLflow answered variant version '%s', not a number; not recorded", jobId, version);
            return;
        }
        job.updatedAt = now();
        if (job.evidenceSha256 != null) {
            evidence.recordVariantVersion(job.evidenceSha256, job.variantVersion);
        }
        audit.append(Planner.ACTOR, "job.variant.registered", job.subject(), Map.of("variant_version", version));
        status.settle(job.modelName, job.version);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static String text(JsonNode answer, String field) {
        JsonNode value = answer == null ? null : answer.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
