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
        WorkerLoop.Settings settings = new WorkerLoop.Settings(dir.resolve("work"), idle,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), Backoff.Jitter.NONE));
        loop = new WorkerLoop(WorkerFixtures.WORKER, port, new LocalArtifactPort(), runner, settings,
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
            assertTrue(t.cycle().compareTo(t.leaseWait().plus(t.run()).plus(t.reportWait())) >= 0, t.toString());
            assertEquals(t.leaseWait().plus(t.reportWait()), t.blockingCalls());
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
                + " report_ms=\\d+\\.\\d{3} report_wait_ms=\\d+\\.\\d{3} cycle_ms=\\d+\\.\\d{3}"), line);
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
        port.queued.add(job(9, Duration.ofSeconds(10)));
        port.queued.add(job(10, Duration.ofSeconds(10)));
        loop.wake();

        assertEquals(9L, ran.poll(WAIT_S, TimeUnit.SECONDS));
        assertEquals(10L, ran.poll(WAIT_S, TimeUnit.SECONDS), "the second job ran while the first report was held");
        assertTrue(port.reports.isEmpty(), "no report was made while the server held them");
        assertTrue(finished.isEmpty(), "a job is finished once its report is made");
        release.countDown();
        assertEquals(9L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId());
        assertEquals(10L, port.reports.poll(WAIT_S, TimeUnit.SECONDS).jobId(), "reports in the jobs' order");
        assertEquals(9L, ((JobAssignment) finished.poll(WAIT_S, TimeUnit.SECONDS)[0]).jobId());
        assertEquals(10L, ((JobAssignment) finished.poll(WAIT_S, TimeUnit.SECONDS)[0]).jobId());
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

    @Test
    void shouldRunTheRealExecutorEndToEnd() throws Exception {
        Path store = dir.resolve("store");
        Path source = WorkerFixtures.modelDir(store.resolve("models/adult/1"), WorkerFixtures.model(),
                WorkerFixtures.featureColumns());
        Path data = store.resolve("eval.csv");
        WorkerFixtures.writeCsv(data, 0, 500);
        JobAssignment j = WorkerFixtures.job(6, "{\"scheme\":\"int8-dynamic\"}", source, data, null, store.resolve("runs"));
        port.queued.add(j);
        start(new JobExecutor(WorkerFixtures.WORKER, WorkerFixtures.SETTINGS), Duration.ofHours(1));
        InMemoryWorkerPort.Report r = port.reports.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(r);
        JobOutcome.Succeeded ok = assertInstanceOf(JobOutcome.Succeeded.class, r.outcome(), r.outcome().toString());
        assertEquals("runs:/run6/model", ok.variantSource());
        assertTrue(Files.isRegularFile(WorkerFixtures.runDir(j).resolve("evaluation.json")));
        assertTrue(workRootEmpty());
    }
}
