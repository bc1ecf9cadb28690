package dev.quantgate.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where one job's time went, as its worker saw it: the lease call that brought it, the run, each stage of the run,
 * the heartbeats (made on their own thread while the job ran) and the report (made on the reporter thread while the
 * next job is leased and run). {@link #logLine()} is the
 * {@code job-timings} line the worker logs after every job, one {@code key=value} pair per figure, for benchmarks and
 * log queries.
 *
 * @param idleBefore   from the end of this worker's previous job (handed to the reporter) to when the job thread
 *                     began to get this one: empty leases and the waits after them; null for the worker's first job
 * @param leasedAt     when the lease call that brought this job started
 * @param lease        the lease call that brought this job (made ahead, during the previous job, when it could be)
 * @param leaseWait    how long the job thread waited for that lease: the call, or what was left of one made ahead
 * @param run          the job's run, from its first to its last stage
 * @param stages       the run's time per stage, in stage order; stages the job did not reach are absent
 * @param heartbeats   heartbeat calls made while the job ran
 * @param heartbeating their total time
 * @param report       the report call or calls (retries included), on the reporter thread; zero when not reported
 * @param reportWait   how long this job's outcome waited for the previous job's report before it was handed over
 * @param upload       the job's uploads (variant and reports), made on the reporter thread before its report while
 *                     the next job runs (never while it benchmarks; waits included); zero when there were none
 * @param uploadWait   how long this job, before it benchmarked, waited for an upload in progress (the previous
 *                     job's: no transfer runs beside a timed benchmark); in no stage and not in {@code run}
 * @param cycle        the job thread's time on this job: from when it began to get it (lease call or the wait for
 *                     the lease made ahead) to the hand-over of the outcome (lease wait, work directory, run, report
 *                     wait)
 * @param outcome      {@code succeeded}, {@code failed} or {@code not_applicable}
 * @param reported     false when the lease was lost or the report could not be made
 */
public record JobTimings(long jobId, int attempt, String workerId, Duration idleBefore, Instant leasedAt,
                         Duration lease, Duration leaseWait, Duration run, Map<Progress.Stage, Duration> stages, int heartbeats,
                         Duration heartbeating, Duration report, Duration reportWait, Duration upload,
                         Duration uploadWait, Duration cycle, String outcome, boolean reported) {

    /** The first word of the line {@link #logLine()} writes. */
    public static final String LOG_PREFIX = "job-timings";

    public JobTimings {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(leasedAt, "leasedAt");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(leaseWait, "leaseWait");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(heartbeating, "heartbeating");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(reportWait, "reportWait");
        Objects.requireNonNull(upload, "upload");
        Objects.requireNonNull(uploadWait, "uploadWait");
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(outcome, "outcome");
        EnumMap<Progress.Stage, Duration> copy = new EnumMap<>(Progress.Stage.class);
        copy.putAll(Objects.requireNonNull(stages, "stages"));
        stages = Collections.unmodifiableMap(copy);
    }

    /** Time spent talking to the queue for this job, on whichever thread: lease, heartbeats and report. */
    public Duration queueCalls() {
        return lease.plus(heartbeating).plus(report);
    }

    /**
     * The part of {@link #queueCalls()} the job thread waited for: the lease wait and the previous report's, and
     * the wait before benchmarking for the previous job's upload.
     */
    public Duration blockingCalls() {
        return leaseWait.plus(reportWait).plus(uploadWait);
    }

    /**
     * {@code job-timings worker=w-1 job=12 attempt=1 outcome=succeeded reported=true leased_at=…Z idle_before_ms=…
     * lease_ms=… lease_wait_ms=… run_ms=… downloading_ms=… … heartbeats=0 heartbeat_ms=0.000 report_ms=… report_wait_ms=…
     * upload_ms=… upload_wait_ms=… cycle_ms=…}; times in
     * milliseconds with microsecond digits, {@code idle_before_ms=-} for a worker's first job.
     */
    public String logLine() {
        StringBuilder sb = new StringBuilder(LOG_PREFIX).append(" worker=").append(workerId).append(" job=").append(jobId)
                .append(" attempt=").append(attempt).append(" outcome=").append(outcome).append(" reported=")
                .append(reported).append(" leased_at=").append(leasedAt).append(" idle_before_ms=")
                .append(idleBefore == null ? "-" : ms(idleBefore)).append(" lease_ms=").append(ms(lease))
                .append(" lease_wait_ms=").append(ms(leaseWait))
                .append(" run_ms=").append(ms(run));
        stages.forEach((stage, d) -> sb.append(' ').append(stage.name().toLowerCase(Locale.ROOT)).append("_ms=")
                .append(ms(d)));
        return sb.append(" heartbeats=").append(heartbeats).append(" heartbeat_ms=").append(ms(heartbeating))
                .append(" report_ms=").append(ms(report)).append(" report_wait_ms=").append(ms(reportWait))
                .append(" upload_ms=").append(ms(upload)).append(" upload_wait_ms=").append(ms(uploadWait))
                .append(" cycle_ms=").append(ms(cycle)).toString();
    }

    private static String ms(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e6);
    }
}
