package dev.quantgate.jobs;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.MutableClock;
import dev.quantgate.testing.TestTokens;
import dev.quantgate.worker.JobAssignment;
import dev.quantgate.worker.JobOutcome;
import dev.quantgate.worker.LeaseLostException;
import dev.quantgate.worker.Progress;
import dev.quantgate.worker.WorkerInfo;
import dev.quantgate.worker.WorkerWire;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue as a worker sees it: leases, heartbeats, expiry on the movable clock, reports applied once. */
@QuarkusTest
@TestProfile(JobsTestProfile.class)
class JobQueueTest {

    static final WorkerInfo CPU = new WorkerInfo("cpu-1", "cpu", Map.of("cores", 2));
    static final WorkerInfo GPU = new WorkerInfo("gpu-1", "gpu", Map.of("gpu", "H200"));

    @Inject
    JobQueue queue;

    @Inject
    MutableClock clock;

    String model;
    List<JobEntity> jobs;

    @BeforeEach
    void queued() {
        JobRows.finishAll();
        model = Pipeline.newModel();
        Pipeline.registered(model, 1, "webhook:" + TestTokens.shortId());
        Pipeline.runsCreated(model);
        jobs = Pipeline.jobs(model);
    }

    @Test
    void shouldAssignTheOldestCpuJobWithEverythingTheWorkerNeeds() {
        JobAssignment a = queue.lease(CPU).orElseThrow();

        JobEntity job = jobs.get(0);
        assertEquals(job.id, a.jobId());
        assertEquals(1, a.attempt());
        assertEquals("int8-dynamic", a.scheme());
        assertEquals(job.specSha256, a.specSha256());
        assertEquals("run-" + job.id, a.runId());
        assertEquals("cpu", a.requirement());
        assertFalse(a.fallback());
        assertEquals("jobs-test", a.policyName());
        assertEquals("income", a.evaluation().label());
        assertTrue(a.evaluationSha256().matches("[0-9a-f]{64}"));
        assertEquals("runs:/" + a.sourceRunId() + "/eval/adult.csv", a.datasetUri());
        assertEquals("mlflow-artifacts:/0/calibration.csv", a.calibrationUri());
        assertEquals(Duration.ofSeconds(15), a.heartbeatEvery());
        assertEquals(clock.instant().plusSeconds(60).getEpochSecond(), a.leaseUntil().getEpochSecond(), 1);
        assertEquals("leased", Pipeline.job(job.id).state);
    }

    @Test
    void shouldRunOnHeartbeatAndApplyARepeatedReportOnce() {
        JobAssignment a = lease(CPU);

        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body(WorkerWire.write(WorkerWire.HeartbeatRequest.of(a.leaseToken(), new Progress(Progress.Stage.QUANTIZING, 40))))
                .post("/api/v1/worker/jobs/" + a.jobId() + "/heartbeat").then().statusCode(200)
                .body("lease_until", org.hamcrest.Matchers.notNullValue());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/" + a.jobId()).then().statusCode(200)
                .body("state", equalTo("running")).body("stage", equalTo("quantizing")).body("percent", equalTo(40))
                .body("worker", equalTo("cpu-1")).body("attempts", equalTo(1));

        String report = WorkerWire.write(new WorkerWire.ReportRequest(a.leaseToken(), succeeded()));
        for (int i = 0; i < 2; i++) {
            TestTokens.as(Roles.WORKER).contentType(ContentType.JSON).body(report)
                    .post("/api/v1/worker/jobs/" + a.jobId() + "/report").then().statusCode(204);
        }

        JobEntity done = Pipeline.job(a.jobId());
        assertEquals(JobState.SUCCEEDED, done.jobState());
        assertTrue(done.evidenceSha256.matches("[0-9a-f]{64}"));
        List<String> writes = Pipeline.writes(model);
        assertEquals(1, writes.stream().filter(w -> w.contains("FINISHED")).count(), "run results logged once");
        assertEquals(1, writes.stream().filter(w -> w.contains("\"quantgate.evidence_sha256\"")
                && w.contains(done.evidenceSha256)).count(), "one variant version");
        assertEquals(1, writes.stream().filter(w -> w.contains("\"running\"")).count(), "running tagged once");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/" + a.jobId()).then()
                .body("evidence", hasSize(1)).body("evidence[0].href", equalTo("/api/v1/evidence/" + done.evidenceSha256));
        io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).body(org.hamcrest.Matchers.containsString(
                "quantgate_job_duration_seconds_count{scheme=\"int8-dynamic\",stage=\"quantizing\"}"));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body(WorkerWire.write(new WorkerWire.ReportRequest("another-token", succeeded())))
                .post("/api/v1/worker/jobs/" + a.jobId() + "/report").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("LEASE_LOST"));
    }

    @Test
    void shouldKeepAJobLeasedAheadLeasedWhileItsHeartbeatsCarryNoProgress() throws Exception {
        JobAssignment a = lease(CPU);
        clock.advance(Duration.ofSeconds(30));

        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body(WorkerWire.write(WorkerWire.HeartbeatRequest.of(a.leaseToken(), null)))
                .post("/api/v1/worker/jobs/" + a.jobId() + "/heartbeat").then().statusCode(200);

        JobEntity held = Pipeline.job(a.jobId());
        assertEquals("leased", held.state, "not running before the worker starts it");
        assertEquals(clock.instant().plusSeconds(60).getEpochSecond(), held.claimedUntil.getEpochSecond(), 1,
                "the lease is extended from the heartbeat");
        queue.heartbeat(a.jobId(), a.leaseToken(), new Progress(Progress.Stage.DOWNLOADING, 0));
        assertEquals("running", Pipeline.job(a.jobId()).state, "the first heartbeat with progress starts it");
    }

    @Test
    void shouldPutAnExpiredLeaseBackAndParkTheJobAfterItsAttempts() {
        JobAssignment first = lease(CPU);
        clock.advance(Duration.ofSeconds(61));

        assertEquals(1, queue.reapExpired());

        assertEquals(JobState.QUEUED, Pipeline.job(first.jobId()).jobState());
        assertThrows(LeaseLostException.class, () -> queue.heartbeat(first.jobId(), first.leaseToken(), null));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body(WorkerWire.write(WorkerWire.HeartbeatRequest.of(first.leaseToken(), null)))
                .post("/api/v1/worker/jobs/" + first.jobId() + "/heartbeat").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("LEASE_LOST"));
        JobAssignment second = lease(CPU);
        assertEquals(first.jobId(), second.jobId());
        assertEquals(2, second.attempt());
        clock.advance(Duration.ofSeconds(61));
        assertEquals(1, queue.reapExpired());

        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/" + first.jobId()).then().statusCode(200)
                .body("state", equalTo("parked")).body("errorCode", equalTo("lease_expired"))
                .body("errors", hasSize(2)).body("errors[1].attempt", equalTo(2));
        TestTokens.as(Roles.ADMIN).post("/api/v1/jobs/" + first.jobId() + "/retry").then().statusCode(200)
                .body("state", equalTo("queued")).body("attempts", equalTo(0)).body("errorCode", nullValue());
    }

    @Test
    void shouldKeepAGpuJobWaitingOnCpuWorkersAndRunAFallbackJobOnCpu() {
        JobEntity gpuOnly = jobs.get(1);
        JobEntity fallback = jobs.get(2);
        lease(CPU);

        JobAssignment onCpu = lease(CPU);
        assertEquals(fallback.id, onCpu.jobId());
        assertTrue(onCpu.fallback());
        assertEquals("gpu", onCpu.requirement());
        assertTrue(queue.lease(CPU).isEmpty(), "the GPU-only job is not for a CPU worker");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/" + gpuOnly.id).then()
                .body("state", equalTo("queued")).body("waiting_for", equalTo("gpu"));
        TestTokens.as(Roles.AUDITOR).queryParam("model", model).queryParam("state", "queued").get("/api/v1/jobs")
                .then().body("items", hasSize(1)).body("items[0].waiting_for", equalTo("gpu"));

        JobAssignment onGpu = lease(GPU);
        assertEquals(gpuOnly.id, onGpu.jobId());
        assertFalse(onGpu.fallback());
    }

    @Test
    void shouldRetryAPassingFailureAfterItsBackoffAndFailEveryJobOfAnUnsupportedFlavor() throws Exception {
        JobAssignment a = lease(CPU);
        queue.report(a.jobId(), a.leaseToken(), new JobOutcome.Failed("mlflow_unavailable", "503", false));
        assertEquals(JobState.QUEUED, Pipeline.job(a.jobId()).jobState());
        assertEquals(jobs.get(2).id, lease(CPU).jobId(), "the failed job waits for its backoff");

        clock.advance(Duration.ofSeconds(11));
        JobAssignment again = lease(CPU);
        assertEquals(a.jobId(), again.jobId());
        queue.report(again.jobId(), again.leaseToken(),
                new JobOutcome.Failed("unsupported_flavor:sklearn", "the model is not onnx", true));

        for (JobEntity job : Pipeline.jobs(model)) {
            assertEquals(JobState.FAILED, job.jobState(), "job " + job.id);
            assertEquals("unsupported_flavor:sklearn", job.errorCode);
        }
        assertTrue(Pipeline.writes(model).stream().anyMatch(w -> w.contains("\"unsupported_flavor:sklearn\"")));
    }

    @Test
    void shouldTagTheSourceEvaluatedAndItsVariantsOnceAllAreKnown() throws Exception {
        JobEntity fallback = jobs.get(2);
        JobAssignment a = lease(CPU);
        JobAssignment b = lease(CPU);
        queue.report(a.jobId(), a.leaseToken(), succeeded());
        queue.report(b.jobId(), b.leaseToken(), new JobOutcome.NotApplicable("nothing to quantize", Map.of()));
        JobAssignment c = lease(GPU);
        queue.report(c.jobId(), c.leaseToken(), succeeded());
        assertEquals(fallback.id, b.jobId());

        Pipeline.variantRegistered(Pipeline.job(a.jobId()), 7);
        Pipeline.variantRegistered(Pipeline.job(c.jobId()), 8);

        List<String> writes = Pipeline.writes(model);
        assertEquals(1, writes.stream().filter(w -> w.contains("\"evaluated\"")).count());
        assertEquals(1, writes.stream().filter(w -> w.contains("\"quantgate.variants\"")
                && w.contains("\"7,8\"")).count());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/" + a.jobId()).then().body("variantVersion", equalTo(7));
    }

    @Test
    void shouldQueueAHandedBackJobAtOnceWithItsAttemptGivenBackButNotOneThatStarted() {
        JobAssignment a = lease(CPU);
        String path = "/api/v1/worker/jobs/" + a.jobId() + "/release";
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON).body("{}").post(path)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("lease_token"));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body(WorkerWire.write(new WorkerWire.ReleaseRequest("not-the-lease"))).post(path)
                .then().statusCode(409).contentType("application/problem+json");

        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body(WorkerWire.write(new WorkerWire.ReleaseRequest(a.leaseToken()))).post(path).then().statusCode(204);
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/" + a.jobId()).then().statusCode(200)
                .body("state", equalTo("queued")).body("attempts", equalTo(0));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body(WorkerWire.write(WorkerWire.HeartbeatRequest.of(a.leaseToken(), null)))
                .post("/api/v1/worker/jobs/" + a.jobId() + "/heartbeat").then().statusCode(409);

        JobAssignment again = lease(CPU);
        assertEquals(a.jobId(), again.jobId(), "queued again at once, without waiting for the lease to expire");
        assertEquals(1, again.attempt(), "the handed-back lease took no attempt");
        assertFalse(a.leaseToken().equals(again.leaseToken()));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body(WorkerWire.write(WorkerWire.HeartbeatRequest.of(again.leaseToken(),
                        new Progress(Progress.Stage.DOWNLOADING, 0))))
                .post("/api/v1/worker/jobs/" + again.jobId() + "/heartbeat").then().statusCode(200);
        assertThrows(LeaseLostException.class, () -> queue.release(again.jobId(), again.leaseToken()),
                "a job that started is not handed back");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/" + a.jobId()).then().body("state", equalTo("running"));
    }

    private JobAssignment lease(WorkerInfo worker) {
        String body = TestTokens.as(Roles.WORKER).contentType(ContentType.JSON).body(WorkerWire.write(worker))
                .post("/api/v1/worker/lease").then().statusCode(200).extract().asString();
        return WorkerWire.read(body, JobAssignment.class);
    }

    static JobOutcome.Succeeded succeeded() {
        return new JobOutcome.Succeeded(Map.of("schema", "quantgate.evidence/v1", "accuracy", 0.85,
                "nonce", TestTokens.shortId()), "runs:/r/model", Map.of("scheme", "int8-dynamic"), Map.of("size_ratio", 0.26));
    }
}
