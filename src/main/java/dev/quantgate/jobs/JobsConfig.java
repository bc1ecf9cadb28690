package dev.quantgate.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The planner and the job queue ({@code quantgate.jobs.*}). */
@ConfigMapping(prefix = "quantgate.jobs")
public interface JobsConfig {

    /** How long a lease lasts without a heartbeat; an expired lease puts the job back in the queue. */
    @WithDefault("60s")
    Duration leaseDuration();

    /** How often a worker is told to heartbeat (well inside the lease). */
    @WithDefault("15s")
    Duration heartbeatEvery();

    /** Attempts (leases) a job gets before it is parked with its last error. */
    @WithDefault("3")
    int maxAttempts();

    /** The wait before a job whose attempt failed for a passing reason is leased again (doubling, capped). */
    @WithDefault("10s")
    Duration retryBackoffInitial();

    /** The longest wait between two attempts of a job. */
    @WithDefault("10m")
    Duration retryBackoffMax();

    /** How often expired leases are looked for at most apart ({@code off}: never, tests call the reaper). */
    @WithDefault("30s")
    String reapEvery();

    /** How long after its last lease call a worker still counts as present (a GPU job waits for one). */
    @WithDefault("5m")
    Duration workerPresence();

    /**
     * How often versions awaiting inspection (their MLmodel read to learn the flavor) are looked for at most apart
     * ({@code off}: never, tests call {@link SourceInspections#inspectDue()}); a registration wakes it at once.
     */
    @WithDefault("2s")
    String inspectEvery();

    /** The MLflow experiment that holds one run per job. */
    @WithDefault("quantgate")
    String experiment();
}
