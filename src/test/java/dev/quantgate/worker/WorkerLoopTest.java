package dev.quantgate.worker;

import dev.quantgate.kernel.Backoff;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerLoopTest {

    private static final long WAIT_S = 60;

    @TempDir
    Path dir;

    private final InMemoryWorkerPort port = new InMemoryWorkerPort();
    private final LinkedBlockingQueue<Object[]> finished = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<JobTimings> timings = new LinkedBlockingQueue<>();
    private WorkerLoop loop;

    private WorkerLoop start(JobRunner runner, Duration idle) {
        return start(runner, idle, new LocalArtifactPort());
    }

    private WorkerLoop start(JobRunner runner, Duration idle, ArtifactPort artifacts) {
        WorkerLoop.Settings settings = new WorkerLoop.Settings(dir.resolve("work"), idle,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), Backoff.Jitter.NONE));
        loop = new WorkerLoop(WorkerFixtures.WORKER, port, artifacts, runner, settings,
                new WorkerLoop.Listener() {
                    @Override
                    public void finished(JobAssignment job, JobOutcome outcome, boolean reported) {
                        finished.add(new Object[] {job, outcome, reported});
                    }

                    @Override
                    public void timed(JobTimings t) {
                        timings.add(t);
                    }
                });
        loop.start();
        return loop;
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    private JobAssignment job(long id, Duration heartbeat) {
        JobAssignment j = WorkerFixtures.job(id, "{\"scheme\":\"fp16\"}", dir.resolve("m"), dir.resolve("d.csv"), null,
                dir.resolve("runs"));
        return new JobAssignment(j.jobId(), j.leaseToken(), j.leaseUntil(), j.attempt(), j.model(), j.version(),
                j.source(), j.sourceRunId(), j.runId(), j.runArtifactUri(), j.scheme(), j.specJson(), j.specSha256(),
                j.requirement(), j.fallback(), j.policyName(), j.policySha256(), j.evaluation(), j.evaluationSha256(),
                j.datasetUri(), j.calibration(), j.calibrationUri(), j.versionTags(), heartbeat);
    }

    private boolean workRootEmpty() throws IOException {
        Path root = dir.resolve("work");
        if (!Files.exists(root)) {
            return true;
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.findAny().isEmpty();
        }
    }

    @Test
    void shouldHeartbeatTheLatestProgressAndReportTheOutcome() throws Exception {
        JobOutcome done = new JobOutcome.NotApplicable("nothing to quantize", Map.of());
        start((job, artifacts, workDir, progress) -> {
            progress.accept(new Progress(Progress.Stage.QUANTIZING, 40));
            try {
                Files.writeString(workDir.resolve("partial.onnx"), "half");
                InMemoryWorkerPort.Beat b;
                do {
                    b = port.beatEvents.poll(WAIT_S, TimeUnit.SECONDS);
                } while (b != null && !b.progress().equals(new Progress(Progress.Stage.QUANTIZING, 40)));
            } catch (IOException | InterruptedException e) {
                return new JobOutcome.Failed("test", e.toString(), false);
            }
            return done;
        }, Duration.ofHours(1));
        port.queued.add(job(1, Duration.ofMillis(20)));
        loop.wake();

        InMemoryWorkerPort.Report r = port.reports.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(r, "reported");
        assertEquals(1, r.jobId());
        assertEquals("lease-1", r.leaseToken());
        assertEquals(done, r.outcome());
        assertTrue(port.beats.stream().anyMatch(b -> b.progress().stage() == Progress.Stage.QUANTIZING));
        assertEquals(Boolean.TRUE, finished.poll(WAIT_S, TimeUnit.SECONDS)[2]);
        assertTrue(workRootEmpty(), "the work directory is deleted after the job");
    }

    @Test
    void shouldAbandonAJobWhoseLeaseIsLostWithoutReporting() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        start((job, artifacts, workDir, progress) -> {
            try {
                Files.writeString(workDir.resolve("partial.onnx"), "half");
                never.await();
                return new JobOutcome.Failed("test", "not interrupted", false);
            } catch (IOException | InterruptedException e) {
                return new JobOutcome.Failed("interrupted", "stopped", false);
            }
        }, Duration.ofHours(1));
        port.lostLeases.add(2L);
        port.queued.add(job(2, Duration.ofMillis(20)));
        port.queued.add(job(3, Duration.ofMillis(20)));
        loop.wake();

        Object[] first = finished.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(first);
        assertEquals(2L, ((JobAssignment) first[0]).jobId());
        assertEquals(Boolean.FALSE, first[2], "abandoned");
        assertEquals("interrupted", ((JobOutcome.Failed) first[1]).code());
        assertNull(port.reports.poll(0, TimeUnit.SECONDS), "no report for a lost lease");
        never.countDown();
        Object[] second = finished.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(second, "the loop carries on with the next job");
        assertEquals(3L, ((JobAssignment) second[0]).jobId());
        assertEquals(3L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId());
        assertTrue(workRootEmpty(), "both work directories are deleted");
    }

    @Test
    void shouldBackOffWhileThePortIsUnreachableThenCarryOn() throws Exception {
        port.unreachableLeases.set(3);
        port.queued.add(job(4, Duration.ofSeconds(10)));
        start((job, artifacts, workDir, progress) -> new JobOutcome.Failed("dataset_missing", "no tag", true),
                Duration.ofHours(1));
        InMemoryWorkerPort.Report r = port.reports.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(r, "reported once the port answers again");
        assertEquals(4, r.jobId());
        assertTrue(port.leaseCalls.size() >= 4, "three failed leases, then one that worked: " + port.leaseCalls);
    }

    @Test
    void shouldLeaseAtOnceWhenWoken() throws Exception {
        start((job, artifacts, workDir, progress) -> new JobOutcome.NotApplicable("n/a", Map.of()), Duration.ofHours(1));
        assertNotNull(port.leaseCalls.poll(WAIT_S, TimeUnit.SECONDS), "the first lease found nothing");
        port.queued.add(job(5, Duration.ofSeconds(10)));
        loop.wake();
        InMemoryWorkerPort.Report r = port.reports.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(r, "woken long before the hour's idle wait");
        assertInstanceOf(JobOutcome.NotApplicable.class, r.outcome());
        loop.stop(Duration.ofSeconds(5));
        assertFalse(loop.running());
    }

    @Test
    void shouldTimeEachJobsLeaseStagesAndReportWithTheIdleTimeBetweenJobs() throws Exception {
        start((job, artifacts, workDir, progress) -> {
            progress.accept(new Progress(Progress.Stage.DOWNLOADING, 0));
            progress.accept(new Progress(Progress.Stage.DOWNLOADING, 100));
            progress.accept(new Progress(Progress.Stage.QUANTIZING, 0));
            progress.accept(new Progress(Progress.Stage.EVALUATING, 0));
            return new JobOutcome.NotApplicable("n/a", Map.of());
        }, Duration.ofHours(1));
        port.queued.add(job(7, Duration.ofSeconds(10)));
        port.queued.add(job(8, Duration.ofSeconds(10)));
        loop.wake();

        JobTimings first = timings.poll(WAIT_S, TimeUnit.SECONDS);
        JobTimings second = timings.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(first);
        assertNotNull(second);
        assertEquals(List.of(7L, 8L), List.of(first.jobId(), second.jobId()));
        assertNull(first.idleBefore(), "nothing ran on this worker before its first job");
        assertNotNull(second.idleBefore(), "the time from the first job's report to the second's lease");
        for (JobTimings t : List.of(first, second)) {
            assertEquals(List.of(Progress.Stage.DOWNLOADING, Progress.Stage.QUANTIZING, Progress.Stage.EVALUATING),
                    List.copyOf(t.stages().keySet()), "each stage heard once, in order; a repeated stage is one span");
            assertEquals(t.run(), t.stages().values().stream().reduce(Duration.ZERO, Duration::plus),
                    "the stages tile the run");
            assertTrue(t.cycle().compareTo(t.leaseWait().plus(t.run()).plus(t.reportWait()).plus(t.uploadWait())) >= 0,
                    t.toString());
            assertEquals(t.leaseWait().plus(t.reportWait()).plus(t.uploadWait()), t.blockingCalls());
            assertEquals(t.lease().plus(t.heartbeating()).plus(t.report()), t.queueCalls());
            assertEquals("not_applicable", t.outcome());
            assertTrue(t.reported());
            assertEquals("test-worker-1", t.workerId());
        }
        String line = second.logLine();
        assertTrue(line.startsWith("job-timings worker=test-worker-1 job=8 attempt=1 outcome=not_applicable"
                + " reported=true leased_at=" + second.leasedAt() + " idle_before_ms="), line);
        assertTrue(line.matches(".* lease_ms=\\d+\\.\\d{3} lease_wait_ms=\\d+\\.\\d{3} run_ms=\\d+\\.\\d{3} downloading_ms=\\d+\\.\\d{3}"
                + " quantizing_ms=\\d+\\.\\d{3} evaluating_ms=\\d+\\.\\d{3} heartbeats=0 heartbeat_ms=0\\.000"
                + " report_ms=\\d+\\.\\d{3} report_wait_ms=\\d+\\.\\d{3} upload_ms=0\\.000 upload_wait_ms=\\d+\\.\\d{3}"
                + " cycle_ms=\\d+\\.\\d{3}"), line);
        assertTrue(first.logLine().contains(" idle_before_ms=- "), first.logLine());
    }

    @Test
    void shouldLeaseAndRunTheNextJobWhileTheLastReportIsBeingMade() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        port.holdReports = release;
        LinkedBlockingQueue<Long> ran = new LinkedBlockingQueue<>();
        start((job, artifacts, workDir, progress) -> {
            ran.add(job.jobId());
            return new JobOutcome.NotApplicable("n/a", Map.of());
        }, Duration.ofHours(1));
        for (long id = 9; id <= 12; id++) {
            port.queued.add(job(id, Duration.ofSeconds(10)));
        }
        loop.wake();

        assertEquals(9L, ran.poll(WAIT_S, TimeUnit.SECONDS));
        assertEquals(10L, ran.poll(WAIT_S, TimeUnit.SECONDS), "the second job ran while the first report was held");
        assertEquals(11L, ran.poll(WAIT_S, TimeUnit.SECONDS), "and the third, with two outcomes in flight");
        assertNull(ran.poll(300, TimeUnit.MILLISECONDS), "at most " + WorkerLoop.REPORTS_IN_FLIGHT + " outcomes in "
                + "flight: the third job's waits, so the fourth does not start");
        assertTrue(port.reports.isEmpty(), "no report was made while the server held them");
        assertTrue(finished.isEmpty(), "a job is finished once its report is made");
        release.countDown();
        assertEquals(12L, ran.poll(WAIT_S, TimeUnit.SECONDS));
        for (long id = 9; id <= 12; id++) {
            assertEquals(id, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId(), "reports in the jobs' order");
        }
        for (long id = 9; id <= 12; id++) {
            assertEquals(id, ((JobAssignment) finished.poll(WAIT_S, TimeUnit.SECONDS)[0]).jobId());
        }
    }

    @Test
    void shouldLeaseTheNextJobAheadOnceTheVariantIsMadeAndHeartbeatItWithoutProgressUntilItStarts() throws Exception {
        LinkedBlockingQueue<Long> ran = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<InMemoryWorkerPort.Beat> heldBeats = new LinkedBlockingQueue<>();
        start((job, artifacts, workDir, progress) -> {
            ran.add(job.jobId());
            if (job.jobId() == 12) {
                progress.accept(new Progress(Progress.Stage.QUANTIZING, 0));
                if (port.queued.size() != 1) {
                    return new JobOutcome.Failed("test", "job 13 was leased before job 12 made its variant", false);
                }
                progress.accept(new Progress(Progress.Stage.BENCHMARKING, 0));
                try {
                    InMemoryWorkerPort.Beat b;
                    do {
                        b = port.beatEvents.poll(WAIT_S, TimeUnit.SECONDS);
                    } while (b != null && b.jobId() != 13);
                    if (b != null) {
                        heldBeats.add(b);
                    }
                } catch (InterruptedException e) {
                    return new JobOutcome.Failed("test", e.toString(), false);
                }
            }
            return new JobOutcome.NotApplicable("n/a", Map.of());
        }, Duration.ofHours(1));
        port.queued.add(job(12, Duration.ofSeconds(10)));
        port.queued.add(job(13, Duration.ofMillis(20)));
        loop.wake();

        assertEquals(12L, ran.poll(WAIT_S, TimeUnit.SECONDS));
        InMemoryWorkerPort.Beat held = heldBeats.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(held, "job 13 was leased ahead and heartbeaten while job 12 still ran");
        assertNull(held.progress(), "a job leased ahead carries no progress until it starts");
        assertEquals(13L, ran.poll(WAIT_S, TimeUnit.SECONDS));
        assertEquals(12L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId());
        assertEquals(13L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId());
        JobTimings first = timings.poll(WAIT_S, TimeUnit.SECONDS);
        JobTimings second = timings.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(second);
        assertEquals(List.of(12L, 13L), List.of(first.jobId(), second.jobId()));
        assertEquals("not_applicable", first.outcome(), "job 12 saw job 13 still queued until it benchmarked");
        assertTrue(second.leasedAt().isBefore(first.leasedAt().plus(first.cycle())),
                "job 13's lease began while job 12 ran: " + first + " / " + second);
    }

    /** A runner whose jobs 31 and 41 wait, once evaluating, for the job leased ahead to have fetched its inputs. */
    private final class FetchingAheadRunner implements JobRunner {
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        final CountDownLatch fetched = new CountDownLatch(1);
        final CountDownLatch releaseFetch = new CountDownLatch(1);
        volatile boolean evaluating;
        /** The job whose fetch ahead blocks until interrupted (0: none). */
        volatile long blockFetchOf;

        @Override
        public JobOutcome execute(JobAssignment job, ArtifactPort artifacts, Path workDir, Consumer<Progress> progress) {
            events.add("execute " + job.jobId());
            progress.accept(new Progress(Progress.Stage.BENCHMARKING, 0));
            evaluating = true;
            progress.accept(new Progress(Progress.Stage.EVALUATING, 0));
            try {
                if (!fetched.await(WAIT_S, TimeUnit.SECONDS)) {
                    return new JobOutcome.Failed("test", "the next job's inputs were not fetched ahead", false);
                }
            } catch (InterruptedException e) {
                return new JobOutcome.Failed("test", e.toString(), false);
            }
            evaluating = false;
            return new JobOutcome.NotApplicable("n/a", Map.of("job", job.jobId()));
        }

        @Override
        public JobRunner ahead(JobAssignment job, ArtifactPort artifacts, Path workDir) {
            events.add("ahead " + job.jobId() + (evaluating ? " while the job before evaluated" : " too early"));
            Thread fetcher = Thread.currentThread();
            try {
                Files.writeString(workDir.resolve("inputs.csv"), "fetched for " + job.jobId());
                if (job.jobId() == blockFetchOf) {
                    fetched.countDown();
                    releaseFetch.await(); // until the lease is lost and the fetch interrupted
                }
            } catch (IOException e) {
                events.add("ahead failed " + e);
            } catch (InterruptedException e) {
                events.add("ahead interrupted " + job.jobId());
                return this;
            }
            fetched.countDown();
            return (j, a, w, p) -> {
                try {
                    String inputs = Files.readString(w.resolve("inputs.csv"));
                    events.add("continued " + j.jobId() + " from '" + inputs + "'"
                            + (Thread.currentThread() == fetcher ? " on the fetch thread" : ""));
                } catch (IOException e) {
                    events.add("continued " + j.jobId() + " without its inputs: " + e);
                }
                return new JobOutcome.NotApplicable("n/a", Map.of("job", j.jobId(), "ahead", true));
            };
        }
    }

    @Test
    void shouldFetchTheNextJobsInputsAheadWhileTheCurrentOneEvaluatesAndRunItFromThem() throws Exception {
        FetchingAheadRunner runner = new FetchingAheadRunner();
        start(runner, Duration.ofHours(1));
        port.queued.add(job(31, Duration.ofSeconds(10)));
        port.queued.add(job(32, Duration.ofSeconds(10)));
        loop.wake();

        assertEquals(31L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId());
        InMemoryWorkerPort.Report second = port.reports.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(second, "job 32 was reported");
        assertEquals(Map.of("job", 32L, "ahead", true), ((JobOutcome.NotApplicable) second.outcome()).details(),
                "job 32 ran from the runner its fetch ahead answered");
        assertEquals(List.of("execute 31", "ahead 32 while the job before evaluated",
                "continued 32 from 'fetched for 32'"), List.copyOf(runner.events));
        JobTimings first = timings.poll(WAIT_S, TimeUnit.SECONDS);
        JobTimings next = timings.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(next);
        assertTrue(next.stages().containsKey(Progress.Stage.DOWNLOADING),
                "the wait for a fetch ahead is timed as the job's download: " + next);
        assertEquals(31L, first.jobId());
        assertTrue(workRootEmpty(), "both work directories are deleted, the one fetched ahead too");
    }

    @Test
    void shouldStopAFetchAheadWhoseLeaseIsLostAndDeleteWhatItFetched() throws Exception {
        FetchingAheadRunner runner = new FetchingAheadRunner();
        runner.blockFetchOf = 42;
        port.lostLeases.add(42L);
        start(runner, Duration.ofHours(1));
        port.queued.add(job(41, Duration.ofSeconds(10)));
        port.queued.add(job(42, Duration.ofMillis(20)));
        port.queued.add(job(43, Duration.ofSeconds(10)));
        loop.wake();

        assertEquals(41L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId());
        assertEquals(43L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId(), "job 43 ran after job 42 was given up");
        Object[] abandoned = finished.poll(WAIT_S, TimeUnit.SECONDS);
        while (abandoned != null && ((JobAssignment) abandoned[0]).jobId() != 42L) {
            abandoned = finished.poll(WAIT_S, TimeUnit.SECONDS);
        }
        assertNotNull(abandoned, "job 42 was heard of");
        assertEquals(Boolean.FALSE, abandoned[2], "a job whose lease was lost before it ran is not reported");
        assertTrue(runner.events.contains("ahead interrupted 42"), "the lost lease stopped the fetch: " + runner.events);
        assertFalse(runner.events.stream().anyMatch(e -> e.startsWith("continued 42")), String.valueOf(runner.events));
        loop.stop(Duration.ofSeconds(WAIT_S));
        assertTrue(workRootEmpty(), "what the fetch ahead wrote is deleted");
        assertNull(port.reports.poll(0, TimeUnit.SECONDS), "job 42 never reported");
    }

    @Test
    void shouldMakeTheReportInFlightWhenStoppedWithinTheGrace() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        port.holdReports = release;
        LinkedBlockingQueue<Long> ran = new LinkedBlockingQueue<>();
        start((job, artifacts, workDir, progress) -> {
            ran.add(job.jobId());
            return new JobOutcome.NotApplicable("n/a", Map.of());
        }, Duration.ofHours(1));
        port.queued.add(job(11, Duration.ofSeconds(10)));
        loop.wake();
        assertEquals(11L, ran.poll(WAIT_S, TimeUnit.SECONDS));

        Thread stopper = new Thread(() -> loop.stop(Duration.ofSeconds(WAIT_S)));
        stopper.start();
        release.countDown();
        stopper.join(TimeUnit.SECONDS.toMillis(WAIT_S));
        assertFalse(stopper.isAlive(), "stop returned once the report was made");
        assertEquals(11L, port.reports.poll(0, TimeUnit.SECONDS).jobId(), "the report was made before stop returned");
    }

    /** An Adult model directory and a 500-row evaluation set in a local store; answers the store. */
    private Path adultStore() throws IOException {
        Path store = dir.resolve("store");
        WorkerFixtures.modelDir(store.resolve("models/adult/1"), WorkerFixtures.model(), WorkerFixtures.featureColumns());
        WorkerFixtures.writeCsv(store.resolve("eval.csv"), 0, 500);
        return store;
    }

    private static JobAssignment adultJob(Path store, long id, String scheme) {
        return WorkerFixtures.job(id, "{\"scheme\":\"" + scheme + "\"}", store.resolve("models/adult/1"),
                store.resolve("eval.csv"), null, store.resolve("runs"));
    }

    @Test
    void shouldRunTheRealExecutorEndToEnd() throws Exception {
        JobAssignment j = adultJob(adultStore(), 6, "int8-dynamic");
        port.queued.add(j);
        start(new JobExecutor(WorkerFixtures.WORKER, WorkerFixtures.SETTINGS), Duration.ofHours(1));
        InMemoryWorkerPort.Report r = port.reports.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(r);
        JobOutcome.Succeeded ok = assertInstanceOf(JobOutcome.Succeeded.class, r.outcome(), r.outcome().toString());
        assertEquals("runs:/run6/model", ok.variantSource());
        assertTrue(Files.isRegularFile(WorkerFixtures.runDir(j).resolve("evaluation.json")));
        assertTrue(workRootEmpty());
    }

    @Test
    void shouldRunTheRealExecutorFromInputsFetchedAheadWithTheSameEvidenceAsFetchingThemItself() throws Exception {
        Path store = adultStore();
        JobAssignment first = adultJob(store, 7, "int8-dynamic");
        JobAssignment second = adultJob(store, 8, "fp16");
        JobExecutor executor = new JobExecutor(WorkerFixtures.WORKER, WorkerFixtures.SETTINGS);
        LinkedBlockingQueue<Long> fetchedAhead = new LinkedBlockingQueue<>();
        port.queued.add(first);
        port.queued.add(second);
        start(new JobRunner() {
            @Override
            public JobOutcome execute(JobAssignment job, ArtifactPort artifacts, Path workDir, Consumer<Progress> p) {
                return executor.execute(job, artifacts, workDir, p);
            }

            @Override
            public JobRunner ahead(JobAssignment job, ArtifactPort artifacts, Path workDir) {
                JobRunner ready = executor.ahead(job, artifacts, workDir);
                try {
                    if (Files.isRegularFile(workDir.resolve("source").resolve(MlModel.FILE))) {
                        fetchedAhead.add(job.jobId());
                    }
                } catch (RuntimeException e) {
                    // not recorded
                }
                return ready;
            }
        }, Duration.ofHours(1));

        JobOutcome.Succeeded a = assertInstanceOf(JobOutcome.Succeeded.class,
                port.reports.poll(WAIT_S, TimeUnit.SECONDS).outcome());
        JobOutcome.Succeeded b = assertInstanceOf(JobOutcome.Succeeded.class,
                port.reports.poll(WAIT_S, TimeUnit.SECONDS).outcome());
        assertEquals(List.of(8L), List.copyOf(fetchedAhead), "job 8's model was fetched ahead, while job 7 evaluated");
        assertEquals(((Map<?, ?>) a.evidence().get("source_artifact")).get("sha256"),
                ((Map<?, ?>) b.evidence().get("source_artifact")).get("sha256"));
        assertEquals(((Map<?, ?>) a.evidence().get("source_artifact")).get("files"),
                ((Map<?, ?>) b.evidence().get("source_artifact")).get("files"),
                "the source files fetched ahead are the ones fetched by the job itself");
        assertEquals(((Map<?, ?>) a.evidence().get("dataset")).get("sha256"),
                ((Map<?, ?>) b.evidence().get("dataset")).get("sha256"));
        assertEquals(500L, ((Number) ((Map<?, ?>) b.evidence().get("dataset")).get("rows")).longValue());
        assertEquals("runs:/run8/model", b.variantSource());
        assertTrue(Files.isRegularFile(WorkerFixtures.runDir(second).resolve("evaluation.json")));
        loop.stop(Duration.ofSeconds(WAIT_S));
        assertTrue(workRootEmpty());
    }

    /** An artifact port whose uploads wait for a latch and are recorded; everything else is {@link LocalArtifactPort}. */
    private final class SlowUploads extends ForwardingArtifactPort {
        final LocalArtifactPort local;
        final CountDownLatch mayUpload = new CountDownLatch(1);
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        volatile boolean fail;

        SlowUploads() {
            this(new LocalArtifactPort());
        }

        private SlowUploads(LocalArtifactPort local) {
            super(local);
            this.local = local;
        }

        @Override
        public void uploadDirectory(Path directory, String uri) throws ArtifactException {
            try {
                if (!mayUpload.await(WAIT_S, TimeUnit.SECONDS)) {
                    throw new ArtifactException("the test never let the upload go", false);
                }
            } catch (InterruptedException e) {
                throw new ArtifactException("interrupted", true);
            }
            if (fail) {
                throw new ArtifactException("MLflow is unreachable", true);
            }
            events.add("upload " + uri + (port.reports.isEmpty() ? " before any report" : " after a report"));
            local.uploadDirectory(directory, uri);
            events.add("uploaded " + uri);
        }
    }

    private static JobOutcome.Succeeded succeeded(long jobId) {
        return new JobOutcome.Succeeded(Map.of("job_id", jobId), "runs:/run" + jobId + "/model", Map.of(), Map.of());
    }

    @Test
    void shouldUploadOnTheReporterThreadBeforeTheReportOnceTheJobLeasedAheadHasBenchmarked() throws Exception {
        SlowUploads artifacts = new SlowUploads();
        artifacts.mayUpload.countDown();
        LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
        start((job, ports, workDir, progress) -> {
            try {
                if (job.jobId() == 51) {
                    Path variant = Files.createDirectories(workDir.resolve("variant"));
                    Files.writeString(variant.resolve("model.onnx"), "variant of 51");
                    progress.accept(new Progress(Progress.Stage.UPLOADING, 0)); // 52 is leased ahead
                    ports.uploadDirectory(variant, job.runArtifactUri() + "/model");
                    seen.add("51 handed its upload over");
                    return succeeded(51);
                }
                progress.accept(new Progress(Progress.Stage.QUANTIZING, 0));
                progress.accept(new Progress(Progress.Stage.BENCHMARKING, 0));
                seen.add("52 benchmarking after " + List.copyOf(artifacts.events));
                progress.accept(new Progress(Progress.Stage.EVALUATING, 0));
                String uploaded;
                do {
                    uploaded = artifacts.events.poll(WAIT_S, TimeUnit.SECONDS);
                } while (uploaded != null && !uploaded.startsWith("uploaded "));
                seen.add("52 evaluating while 51's upload was made: " + (uploaded != null));
                return new JobOutcome.NotApplicable("n/a", Map.of());
            } catch (IOException | ArtifactException | InterruptedException e) {
                return new JobOutcome.Failed("test", e.toString(), false);
            }
        }, Duration.ofHours(1), artifacts);
        JobAssignment first = job(51, Duration.ofSeconds(10));
        port.queued.add(first);
        port.queued.add(job(52, Duration.ofSeconds(10)));
        loop.wake();

        InMemoryWorkerPort.Report r = port.reports.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(r);
        assertEquals(51L, r.jobId());
        assertEquals(succeeded(51), r.outcome());
        assertEquals(52L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId());
        assertEquals(List.of("51 handed its upload over", "52 benchmarking after []",
                "52 evaluating while 51's upload was made: true"), List.copyOf(seen));
        assertTrue(Files.isRegularFile(WorkerFixtures.runDir(first).resolve("model").resolve("model.onnx")),
                "the variant reached the store");
        JobTimings t51 = timings.poll(WAIT_S, TimeUnit.SECONDS);
        JobTimings t52 = timings.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(t52);
        assertEquals(51L, t51.jobId());
        assertTrue(t51.upload().compareTo(Duration.ZERO) > 0, "the upload is timed: " + t51.logLine());
        assertTrue(t51.logLine().contains(" upload_ms="), t51.logLine());
        assertTrue(t52.logLine().matches(".* upload_wait_ms=\\d+\\.\\d{3} .*"), t52.logLine());
        loop.stop(Duration.ofSeconds(WAIT_S));
        assertTrue(workRootEmpty(), "51's work directory is deleted once uploaded");
    }

    @Test
    void shouldReportAFailedUploadAsTheRetryableFailureItIs() throws Exception {
        SlowUploads artifacts = new SlowUploads();
        artifacts.fail = true;
        artifacts.mayUpload.countDown();
        start((job, ports, workDir, progress) -> {
            try {
                ports.uploadDirectory(Files.createDirectories(workDir.resolve("variant")), job.runArtifactUri() + "/model");
            } catch (IOException | ArtifactException e) {
                return new JobOutcome.Failed("test", e.toString(), false);
            }
            return succeeded(job.jobId());
        }, Duration.ofHours(1), artifacts);
        port.queued.add(job(53, Duration.ofSeconds(10)));
        loop.wake();

        InMemoryWorkerPort.Report r = port.reports.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(r);
        assertEquals(new JobOutcome.Failed("artifact_unavailable", "MLflow is unreachable", false), r.outcome(),
                "the evidence is not reported when its variant could not be uploaded");
        Object[] heard = finished.poll(WAIT_S, TimeUnit.SECONDS);
        assertEquals(r.outcome(), heard[1], "the listener hears what was reported");
    }

    @Test
    void shouldNeverUploadWhileTheNextJobBenchmarks() throws Exception {
        SlowUploads artifacts = new SlowUploads();
        artifacts.mayUpload.countDown();
        int uploads = 200;
        start((job, ports, workDir, progress) -> {
            try {
                if (job.jobId() == 61) {
                    Path variant = Files.createDirectories(workDir.resolve("variant"));
                    Files.writeString(variant.resolve("model.onnx"), "variant of 61");
                    for (int i = 0; i < uploads; i++) {
                        ports.uploadDirectory(variant, job.runArtifactUri() + "/model-" + i);
                    }
                    return succeeded(61);
                }
                progress.accept(new Progress(Progress.Stage.QUANTIZING, 0));
                String firstUpload;
                do {
                    firstUpload = artifacts.events.poll(WAIT_S, TimeUnit.SECONDS);
                } while (firstUpload != null && !firstUpload.startsWith("upload "));
                if (firstUpload == null) {
                    return new JobOutcome.Failed("test", "61's uploads did not begin while 62 ran", false);
                }
                progress.accept(new Progress(Progress.Stage.BENCHMARKING, 0));
                artifacts.events.add("benchmark begins");
                new CountDownLatch(1).await(200, TimeUnit.MILLISECONDS); // a benchmark's worth of time
                artifacts.events.add("benchmark ends");
                progress.accept(new Progress(Progress.Stage.EVALUATING, 0));
                return new JobOutcome.NotApplicable("n/a", Map.of());
            } catch (IOException | ArtifactException | InterruptedException e) {
                return new JobOutcome.Failed("test", e.toString(), false);
            }
        }, Duration.ofHours(1), artifacts);
        port.queued.add(job(61, Duration.ofSeconds(10)));
        port.queued.add(job(62, Duration.ofSeconds(10)));
        loop.wake();

        assertEquals(61L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId(), "reported once every upload was made");
        assertEquals(62L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId());
        List<String> log = List.copyOf(artifacts.events);
        int begins = log.indexOf("benchmark begins");
        int ends = log.indexOf("benchmark ends");
        assertTrue(begins >= 0 && ends > begins, "job 62 benchmarked: " + log.size() + " events");
        assertEquals(1, ends - begins, (ends - begins - 1) + " upload events while job 62 benchmarked");
        assertTrue(log.subList(ends, log.size()).stream().anyMatch(e -> e.startsWith("upload ")),
                "some of 61's uploads were left when 62's benchmark began, and went after it: " + log.size());
        assertEquals(2 * uploads + 2 - 1, log.size(), "every upload was made, once (job 62 took the first event: "
                + "61's uploads had begun before 62 benchmarked)");
    }

    @Test
    void shouldHandBackTheJobLeasedAheadWhenStopped() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        start((job, artifacts, workDir, progress) -> {
            progress.accept(new Progress(Progress.Stage.BENCHMARKING, 0)); // the next job is leased ahead
            try {
                never.await();
            } catch (InterruptedException e) {
                return new JobOutcome.Failed("interrupted", "stopped", false);
            }
            return new JobOutcome.NotApplicable("n/a", Map.of());
        }, Duration.ofHours(1));
        port.queued.add(job(71, Duration.ofSeconds(10)));
        port.queued.add(job(72, Duration.ofMillis(20)));
        loop.wake();
        InMemoryWorkerPort.Beat b;
        do {
            b = port.beatEvents.poll(WAIT_S, TimeUnit.SECONDS);
        } while (b != null && b.jobId() != 72);
        assertNotNull(b, "job 72 was leased ahead");

        loop.stop(Duration.ofSeconds(WAIT_S));
        assertEquals(72L, port.released.poll(0, TimeUnit.SECONDS), "job 72 was handed back as the worker stopped");
        assertNull(port.released.poll(0, TimeUnit.SECONDS), "only the job that had not started");
        assertTrue(port.reports.stream().noneMatch(r -> r.jobId() == 72), "and it was not reported");
        assertTrue(workRootEmpty());
    }
}
