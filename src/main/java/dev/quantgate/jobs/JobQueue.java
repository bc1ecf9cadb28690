package dev.quantgate.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.kernel.AfterCommit;
import dev.quantgate.kernel.Backoff;
import dev.quantgate.kernel.BackgroundLoop;
import dev.quantgate.kernel.Claims;
import dev.quantgate.kernel.Lease;
import dev.quantgate.kernel.WorkQueue;
import dev.quantgate.kernel.WorkQueues;
import dev.quantgate.kernel.retry.RetryPolicy;
import dev.quantgate.worker.JobAssignment;
import dev.quantgate.worker.JobOutcome;
import dev.quantgate.worker.LeaseLostException;
import dev.quantgate.worker.Progress;
import dev.quantgate.worker.WorkerInfo;
import dev.quantgate.worker.WorkerPort;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The job queue in PostgreSQL, and the server's {@link WorkerPort}: in-process workers call it directly, the
 * worker REST API calls it for workers elsewhere. A lease takes the oldest queued job the worker can run
 * ({@code FOR UPDATE SKIP LOCKED}, through the kernel's {@link Claims}) under a fresh token: a CPU worker takes
 * CPU jobs and GPU jobs whose policy allows {@code fallback: cpu}, a GPU worker both. Heartbeats extend the
 * lease; a lease that expires puts the job back (the reaper), parked once its attempts are spent; a report
 * with a stale token is refused, a repeat of the applied one changes nothing.
 */
@Startup
@ApplicationScoped
public class JobQueue implements WorkerPort {

    private static final Logger LOG = Logger.getLogger(JobQueue.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUEUE = "job-queue";
    private static final String CPU_HEAD = "q.state = 'queued' AND (q.requirement = 'cpu' OR q.cpu_fallback)";
    private static final String GPU_HEAD = "q.state = 'queued'";
    private static final String SET = ", state = 'leased', attempts = attempts + 1";
    private static final String CPU_CLAIM = Claims.claimStatement("quantization_job", SET, CPU_HEAD,
            "q.next_attempt_at <= ?", "id");
    private static final String GPU_CLAIM = Claims.claimStatement("quantization_job", SET, GPU_HEAD,
            "q.next_attempt_at <= ?", "id");
    private static final String NEXT_EXPIRY = "SELECT min(claimed_until) FROM quantization_job"
            + " WHERE state IN ('leased', 'running')";

    private final AgroalDataSource dataSource;
    private final EntityManager em;
    private final JobAssignments assignments;
    private final JobOutcomes outcomes;
    private final JobHistory history;
    private final SourceStatus status;
    private final JobMetrics metrics;
    private final AuditLog audit;
    private final JobsConfig config;
    private final AfterCommit afterCommit;
    private final WorkQueue queue;
    private final ProcessRole role;
    private final List<Runnable> wakeListeners = new CopyOnWriteArrayList<>();

    public JobQueue(AgroalDataSource dataSource, EntityManager em, JobAssignments assignments, JobOutcomes outcomes,
                    JobHistory history, SourceStatus status, JobMetrics metrics, AuditLog audit, JobsConfig config,
                    AfterCommit afterCommit, WorkQueues queues, ProcessRole role) {
        this.dataSource = dataSource;
        this.em = em;
        this.assignments = assignments;
        this.outcomes = outcomes;
        this.history = history;
        this.status = status;
        this.metrics = metrics;
        this.audit = audit;
        this.config = config;
        this.afterCommit = afterCommit;
        this.queue = queues.create(QUEUE, "quantgate.jobs.reaper.attempts", new RetryPolicy(1,
                new Backoff(config.retryBackoffInitial(), config.retryBackoffMax(), Backoff.Jitter.EQUAL)));
        this.role = role;
    }

    /**
     * Starts the reaper once the application is up: started from the constructor, its first run could reach this
     * bean before its transaction interceptor is in place (and failed once at every start).
     */
    void startReaper(@Observes StartupEvent event) {
        String every = config.reapEvery().trim();
        if (role.runsServer() && !every.equalsIgnoreCase("off")) {
            queue.startLoop(1, DurationConverter.parseDuration(every), this::reapStep);
        }
    }

    /**
     * Registers what to call when jobs may have become leasable (a job queued, released or re-queued), after
     * the transaction that made it so committed: the in-process worker's wake-up.
     */
    public void onWork(Runnable listener) {
        wakeListeners.add(listener);
    }

    /** Jobs may be waiting: tells every registered worker, and the reaper (a new lease may expire sooner). */
    public void wake() {
        for (Runnable listener : wakeListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "A job queue wake-up listener failed");
            }
        }
        queue.wake();
    }

    @Override
    @Transactional
    public Optional<JobAssignment> lease(WorkerInfo worker) {
        boolean gpu = "gpu".equals(worker.kind());
        if (!gpu && !"cpu".equals(worker.kind())) {
            throw new IllegalArgumentException("a worker's kind is cpu or gpu, was '" + worker.kind() + "'");
        }
        seen(worker);
        Lease lease = queue.lease(config.leaseDuration());
        Long id;
        try {
            id = Claims.claimOne(dataSource, gpu ? GPU_CLAIM : CPU_CLAIM, lease, (rs, l) -> rs.getLong(1));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot lease a job", e);
        }
        if (id == null) {
            return Optional.empty();
        }
        JobEntity job = JobEntity.findById(id);
        em.refresh(job);
        Instant now = lease.now().truncatedTo(ChronoUnit.MICROS);
        job.workerId = worker.id();
        job.ranOnFallback = !gpu && "gpu".equals(job.requirement);
        job.stage = null;
        job.percent = null;
        job.stageSince = null;
        job.updatedAt = now;
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("worker", worker.id());
        payload.put("kind", worker.kind());
        payload.put("attempt", job.attempts);
        payload.put("fallback", job.ranOnFallback);
        audit.append(Planner.ACTOR, "job.leased", job.subject(), payload);
        try {
            return Optional.of(assignments.build(job, lease.token(), lease.until(), job.ranOnFallback));
        } catch (RuntimeException e) {
            LOG.errorf(e, "Job %d cannot be assigned; it is failed", id);
            history.finish(job, JobState.FAILED, "assignment_failed", String.valueOf(e.getMessage()), now);
            status.settle(job.modelName, job.version);
            return Optional.empty();
        }
    }

    @Override
    @Transactional
    public Instant heartbeat(long jobId, String leaseToken, Progress progress) throws LeaseLostException {
        JobEntity job = current(jobId, leaseToken);
        Instant now = queue.now().truncatedTo(ChronoUnit.MICROS);
        // a heartbeat without progress only extends the lease: a job a worker leased ahead stays leased until it starts
        if (job.jobState() == JobState.LEASED && progress != null) {
            job.state = JobState.RUNNING.id();
            job.startedAt = now;
            audit.append(Planner.ACTOR, "job.running", job.subject(), Map.of("worker", String.valueOf(job.workerId)));
            status.status(job.modelName, job.version, "running");
        }
        if (progress != null) {
            String stage = progress.stage().name().toLowerCase(java.util.Locale.ROOT);
            if (!stage.equals(job.stage)) {
                metrics.stageEnded(job, now);
                job.stage = stage;
                job.stageSince = now;
            }
            job.percent = progress.percent();
        }
        job.claimedUntil = now.plus(config.leaseDuration());
        job.updatedAt = now;
        return job.claimedUntil;
    }

    @Override
    @Transactional
    public void report(long jobId, String leaseToken, JobOutcome outcome) throws LeaseLostException {
        JobEntity job = JobEntity.locked(jobId).orElseThrow(() -> new LeaseLostException(jobId));
        if (leaseToken.equals(job.appliedToken)) {
            return; // the report was applied already: a repeat changes nothing
        }
        checkLease(job, leaseToken);
        outcomes.apply(job, outcome, queue.now().truncatedTo(ChronoUnit.MICROS));
        job.appliedToken = leaseToken;
        job.claimToken = null;
        job.claimedUntil = null;
        if (job.jobState() == JobState.QUEUED) {
            afterCommitWake();
        }
    }

    /**
     * Puts every job whose lease expired back in the queue (one attempt spent), or parks it when its attempts
     * are spent. Runs on the reaper loop; tests call it after moving the clock.
     *
     * @return how many jobs it released
     */
    @Transactional
    public int reapExpired() {
        Instant now = queue.now().truncatedTo(ChronoUnit.MICROS);
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("SELECT id FROM quantization_job WHERE state IN ('leased', 'running')"
                        + " AND claimed_until <= ?1 ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED")
                .setParameter(1, now).getResultList();
        for (Number id : ids) {
            JobEntity job = JobEntity.findById(id.longValue());
            em.refresh(job);
            String message = "the lease of worker " + job.workerId + " expired at " + job.claimedUntil
                    + " without a heartbeat";
            if (history.retryOrPark(job, "lease_expired", message, now) == JobState.PARKED) {
                status.settle(job.modelName, job.version);
            } else {
                job.nextAttemptAt = now; // the worker died, the job did not fail: no backoff
            }
        }
        if (!ids.isEmpty()) {
            afterCommitWake();
        }
        return ids.size();
    }

    private Duration reapStep() {
        if (reapExpired() >= 100) {
            return Duration.ZERO;
        }
        return queue.until(Claims.nextDue(dataSource, NEXT_EXPIRY));
    }

    @Override
    @Transactional
    public void release(long jobId, String leaseToken) throws LeaseLostException {
        JobEntity job = current(jobId, leaseToken);
        if (job.jobState() != JobState.LEASED) {
            throw new LeaseLostException(jobId); // it started: only its report or its lease's end may move it
        }
        Instant now = queue.now().truncatedTo(ChronoUnit.MICROS);
        audit.append(Planner.ACTOR, "job.released", job.subject(), Map.of("worker", String.valueOf(job.workerId),
                "attempts", Math.max(0, job.attempts - 1)));
        job.state = JobState.QUEUED.id();
        job.attempts = Math.max(0, job.attempts - 1);
        job.claimToken = null;
        job.claimedUntil = null;
        job.nextAttemptAt = now;
        job.updatedAt = now;
        afterCommitWake();
    }

    /** Re-queues a failed or parked job by an admin's hand: attempts start again. */
    @Transactional(Transactional.TxType.MANDATORY)
    void requeue(JobEntity job, String actor) {
        Instant now = queue.now().truncatedTo(ChronoUnit.MICROS);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("previous_state", job.state);
        payload.put("previous_attempts", job.attempts);
        job.state = (job.runId == null ? JobState.PREPARING : JobState.QUEUED).id();
        job.attempts = 0;
        job.nextAttemptAt = now;
        job.errorCode = null;
        job.errorMessage = null;
        job.finishedAt = null;
        job.appliedToken = null;
        job.stage = null;
        job.percent = null;
        job.updatedAt = now;
        audit.append(actor, "job.retried", job.subject(), payload);
        afterCommitWake();
    }

    private void afterCommitWake() {
        afterCommit.run(this::wake);
    }

    private JobEntity current(long jobId, String token) throws LeaseLostException {
        JobEntity job = JobEntity.locked(jobId).orElseThrow(() -> new LeaseLostException(jobId));
        checkLease(job, token);
        return job;
    }

    private static void checkLease(JobEntity job, String token) throws LeaseLostException {
        JobState state = job.jobState();
        if ((state != JobState.LEASED && state != JobState.RUNNING) || !token.equals(job.claimToken)) {
            throw new LeaseLostException(job.id);
        }
    }

    private void seen(WorkerInfo worker) {
        String hardware;
        try {
            hardware = JSON.writeValueAsString(worker.hardware());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the worker's hardware descriptor is not JSON-ready", e);
        }
        em.createNativeQuery("INSERT INTO job_worker (id, kind, hardware, last_seen_at) VALUES (?1, ?2, CAST(?3 AS jsonb), ?4)"
                        + " ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, hardware = EXCLUDED.hardware,"
                        + " last_seen_at = EXCLUDED.last_seen_at")
                .setParameter(1, worker.id()).setParameter(2, worker.kind()).setParameter(3, hardware)
                .setParameter(4, queue.now().truncatedTo(ChronoUnit.MICROS))
                .executeUpdate();
    }
}
