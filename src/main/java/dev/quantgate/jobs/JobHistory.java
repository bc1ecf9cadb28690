package dev.quantgate.jobs;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.kernel.Backoff;
import dev.quantgate.kernel.Failures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A job's state changes after it was planned, each audited in the transaction that makes it: finished (in a
 * terminal state), back in the queue after a failed attempt (or parked once its attempts are spent), and the
 * failed attempts themselves in {@code quantization_job_error}.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class JobHistory {

    private final AuditLog audit;
    private final JobMetrics metrics;
    private final JobsConfig config;
    private final Backoff backoff;

    public JobHistory(AuditLog audit, JobMetrics metrics, JobsConfig config) {
        this.audit = audit;
        this.metrics = metrics;
        this.config = config;
        this.backoff = new Backoff(config.retryBackoffInitial(), config.retryBackoffMax(), Backoff.Jitter.EQUAL);
    }

    /** Ends the job in a terminal state; {@code code} and {@code message} say why (null for success). */
    public void finish(JobEntity job, JobState state, String code, String message, Instant now) {
        if (code != null) {
            error(job, code, message, now);
        }
        metrics.finished(job, now);
        job.state = state.id();
        job.errorCode = code == null ? null : code(code);
        job.errorMessage = message == null ? null : Failures.clip(message);
        job.claimToken = null;
        job.claimedUntil = null;
        job.finishedAt = now;
        job.updatedAt = now;
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("attempts", job.attempts);
        payload.put("worker", job.workerId);
        if (code != null) {
            payload.put("code", code);
        }
        audit.append(Planner.ACTOR, "job." + state.id(), job.subject(), payload);
    }

    /**
     * The attempt failed for a passing reason: the job goes back in the queue after a backoff, or is parked
     * with this error once it had {@code quantgate.jobs.max-attempts} attempts.
     *
     * @return the state it is in now
     */
    public JobState retryOrPark(JobEntity job, String code, String message, Instant now) {
        if (job.attempts >= config.maxAttempts()) {
            finish(job, JobState.PARKED, code, message + " (parked after " + job.attempts + " attempts)", now);
            return JobState.PARKED;
        }
        error(job, code, message, now);
        job.state = JobState.QUEUED.id();
        job.nextAttemptAt = now.plus(backoff.delay(job.attempts));
        job.claimToken = null;
        job.claimedUntil = null;
        job.stage = null;
        job.percent = null;
        job.stageSince = null;
        job.updatedAt = now;
        audit.append(Planner.ACTOR, "job.requeued", job.subject(),
                Map.of("attempts", job.attempts, "code", code, "next_attempt_at", job.nextAttemptAt.toString()));
        return JobState.QUEUED;
    }

    /** Records a failed attempt. */
    public void error(JobEntity job, String code, String message, Instant at) {
        JobErrorEntity row = new JobErrorEntity();
        row.jobId = job.id;
        row.attempt = job.attempts;
        row.code = code(code);
        row.message = Failures.clip(String.valueOf(message));
        row.workerId = job.workerId;
        row.at = at;
        row.persist();
    }

    /** A stored error code: at most 200 characters, control characters escaped. */
    static String code(String code) {
        String safe = Failures.escape(code);
        return safe.length() <= 200 ? safe : safe.substring(0, 200);
    }
}
