package dev.quantgate.worker;

import java.time.Instant;
import java.util.Optional;

/**
 * What a worker asks of the job queue. In-process it is the queue itself; out of process it is the worker REST
 * API. Every call after {@link #lease} names the job and the lease token it was given: a call with a token
 * that is no longer the job's current lease is refused with {@link LeaseLostException}.
 */
public interface WorkerPort {

    /** The next job this worker can run, leased to it until {@link JobAssignment#leaseUntil()}; empty when none. */
    Optional<JobAssignment> lease(WorkerInfo worker);

    /** Extends the lease and records progress; answers the new lease end. */
    Instant heartbeat(long jobId, String leaseToken, Progress progress) throws LeaseLostException;

    /**
     * Reports the job's outcome. A report repeated with the same token after it was applied is accepted and
     * changes nothing; a report with a stale token is refused.
     */
    void report(long jobId, String leaseToken, JobOutcome outcome) throws LeaseLostException;

    /**
     * Hands back a job leased to this worker that has not started (it carried no progress yet): it is queued
     * again at once, the attempt its lease took is given back, and the lease ends. A worker that stops calls it
     * for the job it leased ahead, so that the job does not wait for its lease to expire. Refused with
     * {@link LeaseLostException} when the token is not the job's lease or the job has started.
     */
    void release(long jobId, String leaseToken) throws LeaseLostException;
}
