package dev.quantgate.worker;

import dev.quantgate.kernel.BackgroundLoop;
import dev.quantgate.kernel.Backoff;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One worker: leases a job from the {@link WorkerPort}, runs it in a fresh work directory while a heartbeat thread
 * extends the lease every {@link JobAssignment#heartbeatEvery()} with the latest progress, and hands the outcome to its
 * reporter thread, which makes the job's uploads and then its report while the next job runs (at most
 * {@link #REPORTS_IN_FLIGHT} outcomes in flight: the next one waits), then deletes its work directory.
 * <ul>
 * <li>The next job is leased ahead once the current one is benchmarking (its variant is made), so that the lease call
 * does not hold up the next run; a job leased ahead is heartbeaten without progress (it stays {@code leased}) until it
 * starts.</li>
 * <li>Once the current job evaluates (its timed benchmark is over), the job leased ahead fetches its inputs on a
 * third thread ({@link JobRunner#ahead}) into its own work directory, so that its download stage is only what is left
 * of that when its turn comes.</li>
 * <li>An upload and a benchmark never run at the same time: a benchmark waits for the upload in progress, and the
 * uploads of a job handed over while another was leased ahead wait until that one has benchmarked, so that they go
 * while it evaluates.</li>
 * </ul>
 * A lost lease (the job went to another worker) stops the job, which is abandoned unreported. When the port is
 * unreachable the loop backs off; {@link #wake()} leases at once. After every job it logs a
 * {@link JobTimings#logLine() job-timings} line (lease, run per stage, heartbeats, uploads, report, the idle time
 * before it) and hands the same figures to its {@link Listener}.
 */
public final class WorkerLoop {

    /**
     * @param workRoot    where work directories are made (one per job, deleted after it)
     * @param idle        how long to wait between leases when there was no work (a {@link #wake()} cuts it short)
     * @param unreachable the waits after consecutive failures to reach the port (lease or report)
     * @param fetchAhead  whether the job leased ahead fetches its inputs while the current job evaluates
     */
    public record Settings(Path workRoot, Duration idle, Backoff unreachable, boolean fetchAhead) {
        public Settings {
            Objects.requireNonNull(workRoot, "workRoot");
            Objects.requireNonNull(idle, "idle");
            Objects.requireNonNull(unreachable, "unreachable");
        }

        public Settings(Path workRoot, Duration idle, Backoff unreachable) {
            this(workRoot, idle, unreachable, true);
        }

        public static Settings defaults(Path workRoot) {
            return new Settings(workRoot, Duration.ofSeconds(5),
                    new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), Backoff.Jitter.EQUAL));
        }

        public Settings withFetchAhead(boolean on) {
            return new Settings(workRoot, idle, unreachable, on);
        }
    }

    /** Hears each job's end, for metrics and tests. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Heard on the reporter thread once the report was made (on the job thread for an abandoned job).
         *
         * @param reported false when the job was abandoned (its lease was lost) or its report could not be made
         */
        void finished(JobAssignment job, JobOutcome outcome, boolean reported);

        /** Where the job's time went; heard right after {@link #finished}. */
        default void timed(JobTimings timings) {
        }
    }

    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    /**
     * Outcomes handed to the reporter and not yet reported, at most: two, so that a job's uploads (which wait while
     * the next job benchmarks) and its report do not hold up the job after it.
     */
    static final int REPORTS_IN_FLIGHT = 2;
    private static final Logger LOG = Logger.getLogger(WorkerLoop.class);

    private final WorkerInfo worker;
    private final WorkerPort port;
    private final ArtifactPort artifacts;
    private final JobRunner runner;
    private final Settings settings;
    private final Listener listener;
    private final BackgroundLoop loop;
    private final ScheduledExecutorService heartbeats;
    private final ExecutorService reporter;
    private final ExecutorService leaser;
    private final ExecutorService prefetcher;
    /**
     * One permit: held for a job from its start (when it was leased ahead) or its benchmark until its benchmark ends,
     * and by the reporter thread during each upload, so that no transfer runs beside a timed benchmark and the
     * previous job's uploads go while the next job evaluates. Fair: a benchmark waits for the upload in progress,
     * not for the ones queued after it.
     */
    private final java.util.concurrent.Semaphore quiet = new java.util.concurrent.Semaphore(1, true);
    /** The permit, taken as a job was handed over for the job leased ahead, which has not started yet. */
    private final AtomicBoolean quietForNext = new AtomicBoolean();
    private int failures;
    /** {@link System#nanoTime()} when the previous job was handed to the reporter; 0 before the first job. */
    private long previousJobEnd;
    /**
     * The reports (each with its job's uploads) handed to the reporter and not known to be made, oldest first; at
     * most {@link #REPORTS_IN_FLIGHT}; only the loop's thread touches it.
     */
    private final java.util.ArrayDeque<Future<?>> pendingReports = new java.util.ArrayDeque<>();
    /** The lease made ahead during the current job, if any; only the loop's thread touches it. */
    private volatile Future<Optional<Held>> leasedAhead;
    /** The lease made ahead whose inputs are being fetched; only the loop's thread touches it. */
    private Future<Optional<Held>> fetchingAhead;

    public WorkerLoop(WorkerInfo worker, WorkerPort port, ArtifactPort artifacts, JobRunner runner, Settings settings,
                      Listener listener) {
        this.worker = Objects.requireNonNull(worker, "worker");
        this.port = Objects.requireNonNull(port, "port");
        this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = listener == null ? (j, o, r) -> { } : listener;
        this.loop = new BackgroundLoop("quantgate-worker-" + worker.id(), 1, settings.idle(), this::step);
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("quantgate-heartbeat-" + worker.id()));
        this.reporter = Executors.newSingleThreadExecutor(daemon("quantgate-report-" + worker.id()));
        this.leaser = Executors.newSingleThreadExecutor(daemon("quantgate-lease-" + worker.id()));
        this.prefetcher = Executors.newSingleThreadExecutor(daemon("quantgate-prefetch-" + worker.id()));
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public void start() {
        loop.start();
    }

    /**
     * Stops after the current step; a running job is interrupted and, unreported, goes back when its lease ends. A
     * job leased ahead that has not started is handed back ({@link WorkerPort#release}): queued again at once, its
     * attempt given back. A report in flight gets what is left of {@code grace} to be made.
     */
    public void stop(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        loop.stop(grace);
        releaseQuietForNext();
        leaser.shutdownNow();
        Future<Optional<Held>> ahead = leasedAhead;
        if (ahead != null && ahead.isDone() && !ahead.isCancelled()) {
            try {
                ahead.get().ifPresent(held -> {
                    if (held.handBack()) {
                        held.beating.cancel(false);
                        held.beats.end();
                        handBack(held.job);
                    }
                    deletePrepared(held);
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // no job was leased ahead
            }
        }
        finish(prefetcher, deadline); // the deletions queued behind a fetch still run
        finish(reporter, deadline);
        heartbeats.shutdownNow();
    }

    private void handBack(JobAssignment job) {
        try {
            port.release(job.jobId(), job.leaseToken());
            LOG.infof("job %d: leased ahead and not started, handed back to the queue", job.jobId());
        } catch (LeaseLostException e) {
            LOG.infof("job %d: its lease was already gone when the worker stopped", job.jobId());
        } catch (RuntimeException e) {
            LOG.warnf("job %d: could not be handed back (%s); it goes back when its lease ends", job.jobId(),
                    e.getMessage());
        }
    }

    /** Lets what was handed to {@code executor} run until {@code deadline} ({@link System#nanoTime()}), then stops it. */
    private static void finish(ExecutorService executor, long deadline) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Work has arrived: lease now instead of at the end of the idle wait. */
    public void wake() {
        loop.wake();
    }

    public boolean running() {
        return loop.running();
    }

    /** One lease (or the one made ahead) and, if a job came, its run; answers how long to wait before the next. */
    Duration step() throws InterruptedException {
        long obtainStart = System.nanoTime();
        Future<Optional<Held>> ahead = leasedAhead;
        leasedAhead = null;
        Optional<Held> held = Optional.empty();
        if (ahead != null) {
            try {
                held = ahead.get();
            } catch (ExecutionException e) {
                releaseQuietForNext();
                return unreachable("lease", e.getCause() instanceof RuntimeException r ? r
                        : new IllegalStateException(e.getCause()));
            }
        }
        if (held.isEmpty()) { // none made ahead, or it found nothing: the queue may have work by now
            try {
                held = leaseNow();
            } catch (RuntimeException e) {
                return unreachable("lease", e);
            }
        }
        failures = 0;
        if (held.isEmpty()) {
            releaseQuietForNext();
            return settings.idle();
        }
        run(held.get(), obtainStart);
        return Duration.ZERO;
    }

    /**
     * Whether a job was leased ahead (the loop's next step runs it); waits for a lease call in flight, which the next
     * step would wait for anyway.
     */
    private boolean nextIsLeased() {
        Future<Optional<Held>> ahead = leasedAhead;
        if (ahead == null || ahead.isCancelled()) {
            return false;
        }
        try {
            return ahead.get().isPresent();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return false;
        }
    }

    /** The permit taken for a next job that will not run (none came, or the loop stops) goes back. */
    private void releaseQuietForNext() {
        if (quietForNext.getAndSet(false)) {
            quiet.release();
        }
    }

    private Optional<Held> leaseNow() {
        Instant leasedAt = Instant.now();
        long leaseStart = System.nanoTime();
        Optional<JobAssignment> job = port.lease(worker);
        Clocked clocked = new Clocked(leasedAt, leaseStart, System.nanoTime());
        return job.map(j -> new Held(j, clocked));
    }

    private void leaseAhead() {
        if (leasedAhead == null && loop.running()) {
            try {
                leasedAhead = leaser.submit(this::leaseNow);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
            }
        }
    }

    /** The job leased ahead fetches its inputs (once its lease came back) on the prefetch thread. */
    private void fetchAhead() {
        Future<Optional<Held>> ahead = leasedAhead;
        if (ahead == null || ahead == fetchingAhead || !settings.fetchAhead()) {
            return;
        }
        fetchingAhead = ahead;
        try {
            prefetcher.submit(() -> {
                Optional<Held> held;
                try {
                    held = ahead.get();
                } catch (InterruptedException e) {
                    return;
                } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                    return; // the lease failed: the loop's next step says so
                }
                held.ifPresent(Held::prepare);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    private Path newWorkDir(JobAssignment job) throws IOException {
        Path workDir = Files.createDirectories(settings.workRoot()).resolve("job-" + job.jobId() + "-"
                + job.attempt() + "-" + Long.toHexString(System.nanoTime()));
        return Files.createDirectory(workDir);
    }

    /** Deletes the work directory a job's fetch ahead made, once that fetch is over (the prefetch thread is serial). */
    private void deletePrepared(Held held) {
        try {
            prefetcher.submit(() -> DirectoryManifest.deleteTree(held.preparedDir()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: like the directory of a job whose worker was killed, it stays under the work root
        }
    }

    private Duration unreachable(String what, RuntimeException e) {
        failures++;
        Duration wait = settings.unreachable().delay(failures);
        LOG.warnf("worker %s cannot %s (%d in a row: %s); trying again in %d ms", worker.id(), what, failures,
                e.getMessage(), wait.toMillis());
        return wait;
    }

    /** When the lease call that brought a job started (wall clock and {@link System#nanoTime()}) and ended. */
    private record Clocked(Instant leasedAt, long leaseStart, long leaseEnd) {
        Duration lease() {
            return Duration.ofNanos(leaseEnd - leaseStart);
        }
    }

    /** The job thread's stage changes, timed; {@link #close} ends the last stage. */
    private static final class StageClock {
        private final Map<Progress.Stage, Duration> stages = new EnumMap<>(Progress.Stage.class);
        private Progress.Stage current;
        private long since;
        private long first;

        void heard(Progress p) {
            long now = System.nanoTime();
            if (current == null) {
                first = now;
            } else if (current == p.stage()) {
                return;
            } else {
                stages.merge(current, Duration.ofNanos(now - since), Duration::plus);
            }
            current = p.stage();
            since = now;
        }

        /** Leaves {@code nanos} just spent (a wait that is no stage's) out of the current stage and of the run. */
        void exclude(long nanos) {
            if (current != null) {
                since += nanos;
                first += nanos;
            }
        }

        /** The run's length from its first stage to now (zero when no stage was heard). */
        Duration close() {
            long now = System.nanoTime();
            if (current == null) {
                return Duration.ZERO;
            }
            stages.merge(current, Duration.ofNanos(now - since), Duration::plus);
            current = null;
            return Duration.ofNanos(now - first);
        }
    }

    /**
     * A leased job and its heartbeats, from its lease (made ahead, perhaps) to its end. Until it starts, its
     * heartbeats carry no progress (the server keeps it {@code leased}) and a lost lease interrupts nobody.
     */
    private final class Held {
        final JobAssignment job;
        final Clocked clocked;
        final AtomicReference<Progress> latest = new AtomicReference<>();
        final AtomicBoolean lost = new AtomicBoolean();
        final AtomicReference<Thread> runner = new AtomicReference<>();
        final Beats beats = new Beats();
        final ScheduledFuture<?> beating;
        /** The fetch ahead: whether the run began, whether a fetch is in progress (and on which thread), its result. */
        private boolean started;
        private Thread preparing;
        private Path preparedDir;
        private JobRunner prepared;

        Held(JobAssignment job, Clocked clocked) {
            this.job = job;
            this.clocked = clocked;
            Duration every = job.heartbeatEvery() == null || job.heartbeatEvery().isZero()
                    || job.heartbeatEvery().isNegative() ? DEFAULT_HEARTBEAT : job.heartbeatEvery();
            this.beating = heartbeats.scheduleAtFixedRate(() -> beats.beat(() -> heartbeat(this)), every.toMillis(),
                    every.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** On the prefetch thread: fetches the job's inputs ahead, unless its run already began or its lease is lost. */
        void prepare() {
            synchronized (this) {
                if (started || lost.get()) {
                    return;
                }
                preparing = Thread.currentThread();
            }
            Path dir = null;
            JobRunner ready = null;
            try {
                dir = newWorkDir(job);
                ready = WorkerLoop.this.runner.ahead(job, artifacts, dir);
            } catch (IOException | RuntimeException e) {
                LOG.infof("job %d: its inputs could not be fetched ahead (%s); the job fetches them itself",
                        job.jobId(), e.getMessage());
                DirectoryManifest.deleteTree(dir);
                dir = null;
                ready = null;
            } finally {
                synchronized (this) {
                    preparing = null;
                    preparedDir = dir;
                    prepared = dir == null ? null : ready;
                    notifyAll();
                }
                Thread.interrupted(); // a lost lease's interrupt was for this fetch only
            }
        }

        /**
         * On the job's thread as its run begins: waits for a fetch in progress and answers the runner it left and
         * its work directory, or null when none was made (no fetch may start after this).
         */
        synchronized Map.Entry<Path, JobRunner> claim() throws InterruptedException {
            started = true;
            while (preparing != null) {
                wait();
            }
            return prepared == null ? null : Map.entry(preparedDir, prepared);
        }

        /** The lease was lost: a fetch in progress stops. */
        synchronized void stopPreparing() {
            started = true; // and none starts
            if (preparing != null) {
                preparing.interrupt();
            }
        }

        /** The worker stops: a job not started is given up (like a lost lease) and answered true, once. */
        synchronized boolean handBack() {
            if (started) {
                return false;
            }
            lost.set(true);
            stopPreparing();
            return true;
        }

        /** The directory a fetch ahead made, once it is over (null when there is none). */
        synchronized Path preparedDir() {
            return preparing == null ? preparedDir : null;
        }
    }

    private void run(Held held, long obtainStart) throws InterruptedException {
        JobAssignment job = held.job;
        Clocked clocked = held.clocked;
        long started = System.nanoTime();
        StageClock stages = new StageClock();
        Beats beats = held.beats;
        Duration run = Duration.ZERO;
        AtomicBoolean lost = held.lost;
        Path workDir = null;
        JobOutcome outcome = new JobOutcome.Failed("lease_lost", "the lease was lost before the job started", false);
        held.latest.set(new Progress(Progress.Stage.DOWNLOADING, 0));
        held.runner.set(Thread.currentThread());
        DeferredUploads uploads = new DeferredUploads(artifacts, quiet);
        long[] uploadWait = {-1};
        boolean[] benchmarking = {quietForNext.getAndSet(false)}; // the permit taken for this job at the last hand-over
        try {
            if (!lost.get()) {
                stages.heard(new Progress(Progress.Stage.DOWNLOADING, 0));
                Map.Entry<Path, JobRunner> ahead;
                try {
                    ahead = held.claim();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    deletePrepared(held);
                    ahead = null;
                }
                JobRunner use = runner;
                if (ahead != null) {
                    workDir = ahead.getKey();
                    use = ahead.getValue();
                } else if (!Thread.currentThread().isInterrupted()) {
                    workDir = newWorkDir(job);
                }
                if (workDir != null && !lost.get()) {
                    outcome = use.execute(job, uploads, workDir, p -> {
                        if (uploadWait[0] < 0 && p.stage() == Progress.Stage.BENCHMARKING) {
                            long waitFrom = System.nanoTime();
                            if (!benchmarking[0]) {
                                try {
                                    quiet.acquire(); // an upload in progress ends first
                                    benchmarking[0] = true;
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt(); // the job sees it at its next stage
                                }
                            }
                            uploadWait[0] = System.nanoTime() - waitFrom;
                            stages.exclude(uploadWait[0]);
                        } else if (benchmarking[0] && p.stage().compareTo(Progress.Stage.BENCHMARKING) > 0) {
                            benchmarking[0] = false;
                            quiet.release(); // uploads may go again
                        }
                        stages.heard(p);
                        held.latest.set(p);
                        if (p.stage().compareTo(Progress.Stage.BENCHMARKING) >= 0) {
                            leaseAhead();
                        }
                        if (p.stage().compareTo(Progress.Stage.EVALUATING) >= 0) {
                            fetchAhead();
                        }
                    });
                } else {
                    outcome = new JobOutcome.Failed("interrupted", "the job was stopped before it started", false);
                }
                run = stages.close();
            }
        } catch (IOException e) {
            outcome = new JobOutcome.Failed("io_error", "cannot make a work directory under " + settings.workRoot()
                    + ": " + e.getMessage(), false);
        } finally {
            held.runner.set(null); // a lease lost from here on interrupts no job of this thread's
            if (benchmarking[0]) {
                quiet.release();
            }
        }
        Duration waitedForUploads = Duration.ofNanos(Math.max(0, uploadWait[0]));
        Duration idleBefore = previousJobEnd == 0 ? null : Duration.ofNanos(obtainStart - previousJobEnd);
        Duration leaseWait = Duration.ofNanos(started - obtainStart);
        if (lost.get()) {
            held.beating.cancel(false);
            beats.end();
            Thread.interrupted(); // the heartbeat's interrupt was for the job, not for this loop
            LOG.infof("job %d: lease lost, abandoned without a report", job.jobId());
            DirectoryManifest.deleteTree(workDir);
            if (workDir == null) {
                deletePrepared(held);
            }
            previousJobEnd = System.nanoTime();
            listener.finished(job, outcome, false);
            timed(new JobTimings(job.jobId(), job.attempt(), worker.id(), idleBefore, clocked.leasedAt(),
                    clocked.lease(), leaseWait, run, stages.stages, beats.count(), beats.time(), Duration.ZERO,
                    Duration.ZERO, Duration.ZERO, waitedForUploads, Duration.ofNanos(previousJobEnd - obtainStart),
                    outcomeName(outcome), false));
            return;
        }
        long waitStart = System.nanoTime();
        awaitPendingReport();
        if (nextIsLeased() && quiet.tryAcquire()) {
            // the next job benchmarks soon: this job's uploads wait for it, and go while it evaluates
            quietForNext.set(true);
        }
        long handedOver = System.nanoTime();
        previousJobEnd = handedOver;
        JobOutcome result = outcome;
        Duration jobRun = run;
        Path done = workDir;
        pendingReports.addLast(reporter.submit(() -> {
            long uploadStart = System.nanoTime();
            boolean uploading = uploads.pending(result);
            JobOutcome toReport = uploads.make(job, result); // heartbeats go on meanwhile: the lease holds
            Duration uploadTime = uploading ? Duration.ofNanos(System.nanoTime() - uploadStart) : Duration.ZERO;
            held.beating.cancel(false);
            beats.end();
            DirectoryManifest.deleteTree(done);
            long reportStart = System.nanoTime();
            boolean reported;
            try {
                reported = !lost.get() && report(job, toReport);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reported = false;
            }
            Duration reportTime = Duration.ofNanos(System.nanoTime() - reportStart);
            listener.finished(job, toReport, reported);
            timed(new JobTimings(job.jobId(), job.attempt(), worker.id(), idleBefore, clocked.leasedAt(),
                    clocked.lease(), leaseWait, jobRun, stages.stages, beats.count(), beats.time(), reportTime,
                    Duration.ofNanos(handedOver - waitStart), uploadTime, waitedForUploads,
                    Duration.ofNanos(handedOver - obtainStart), outcomeName(toReport), reported));
        }));
    }

    /**
     * The port a job runs with: everything goes to the worker's port but the uploads, which are kept and made by
     * the reporter thread before the report, while the next job runs, but not while it benchmarks ({@code quiet}).
     * They are made only for a job that succeeded, in the order the job asked for them; one that fails turns the
     * outcome into the failure a failed upload always was (retryable when MLflow could not be reached).
     */
    private static final class DeferredUploads extends ForwardingArtifactPort {
        private final java.util.concurrent.Semaphore quiet;
        private final java.util.List<Map.Entry<Path, String>> kept = new java.util.concurrent.CopyOnWriteArrayList<>();

        DeferredUploads(ArtifactPort port, java.util.concurrent.Semaphore quiet) {
            super(port);
            this.quiet = quiet;
        }

        @Override
        public void uploadDirectory(Path directory, String uri) {
            kept.add(Map.entry(directory, uri));
        }

        /** Whether {@link #make} has uploads to make for this outcome. */
        boolean pending(JobOutcome outcome) {
            return outcome instanceof JobOutcome.Succeeded && !kept.isEmpty();
        }

        /** Makes the kept uploads of a successful job; answers what to report. */
        JobOutcome make(JobAssignment job, JobOutcome outcome) {
            if (!(outcome instanceof JobOutcome.Succeeded)) {
                return outcome;
            }
            try {
                for (Map.Entry<Path, String> upload : kept) {
                    quiet.acquire();
                    try {
                        delegate.uploadDirectory(upload.getKey(), upload.getValue());
                    } finally {
                        quiet.release();
                    }
                }
                return outcome;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new JobOutcome.Failed("interrupted", "the worker stopped before the job's uploads were made",
                        false);
            } catch (ArtifactException | RuntimeException e) {
                LOG.warnf("job %d: upload failed (%s)", job.jobId(), e.getMessage());
                return JobExecutor.failure(e); // what a failed upload inside the job always was
            }
        }
    }

    /** Waits until fewer than {@link #REPORTS_IN_FLIGHT} reports are in flight (made, or given up). */
    private void awaitPendingReport() throws InterruptedException {
        pendingReports.removeIf(Future::isDone);
        while (pendingReports.size() >= REPORTS_IN_FLIGHT) {
            try {
                pendingReports.peekFirst().get();
            } catch (ExecutionException e) {
                LOG.warnf(e.getCause(), "worker %s: a report failed unexpectedly", worker.id());
            } catch (java.util.concurrent.CancellationException e) {
                // the loop is stopping
            }
            pendingReports.removeFirst();
        }
    }

    /** A job's heartbeats: counted and timed; after {@link #end()} (which waits for one in flight) none is made. */
    private static final class Beats {
        private boolean over;
        private int count;
        private long nanos;

        synchronized void beat(Runnable heartbeat) {
            if (over) {
                return;
            }
            long start = System.nanoTime();
            heartbeat.run();
            count++;
            nanos += System.nanoTime() - start;
        }

        synchronized void end() {
            over = true;
        }

        synchronized int count() {
            return count;
        }

        synchronized Duration time() {
            return Duration.ofNanos(nanos);
        }
    }

    private void timed(JobTimings timings) {
        LOG.info(timings.logLine());
        try {
            listener.timed(timings);
        } catch (RuntimeException e) {
            LOG.warnf(e, "job %d: the timings listener failed", timings.jobId());
        }
    }

    private static String outcomeName(JobOutcome outcome) {
        if (outcome instanceof JobOutcome.Succeeded) {
            return "succeeded";
        }
        if (outcome instanceof JobOutcome.NotApplicable) {
            return "not_applicable";
        }
        return "failed";
    }

    private void heartbeat(Held held) {
        JobAssignment job = held.job;
        if (held.lost.get()) {
            return;
        }
        try {
            port.heartbeat(job.jobId(), job.leaseToken(), held.latest.get());
        } catch (LeaseLostException e) {
            held.lost.set(true);
            held.stopPreparing();
            Thread running = held.runner.get();
            if (running != null) {
                running.interrupt();
            }
        } catch (RuntimeException e) {
            LOG.warnf("job %d: heartbeat failed (%s); the lease holds until it ends", job.jobId(), e.getMessage());
        }
    }

    /** Reports, retrying an unreachable port with backoff while the loop runs; false when it could not. */
    private boolean report(JobAssignment job, JobOutcome outcome) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                port.report(job.jobId(), job.leaseToken(), outcome);
                return true;
            } catch (LeaseLostException e) {
                LOG.infof("job %d: lease lost before the report; the outcome is dropped", job.jobId());
                return false;
            } catch (RuntimeException e) {
                if (!loop.running()) {
                    return false;
                }
                Duration wait = settings.unreachable().delay(attempt);
                LOG.warnf("job %d: report failed (%s); again in %d ms", job.jobId(), e.getMessage(), wait.toMillis());
                Thread.sleep(wait.toMillis());
            }
        }
    }
}
