package dev.quantgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.policy.model.Calibration;
import dev.quantgate.policy.model.DatasetRef;
import dev.quantgate.policy.model.Evaluation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerWireTest {

    static JobAssignment assignment() {
        Evaluation evaluation = new Evaluation(DatasetRef.tag(Evaluation.DEFAULT_DATASET_TAG), "income", ">50K",
                List.of("<=50K", ">50K"), List.of("sex", "age"), Map.of("age", List.of(25.0, 40.0, 60.0)), true,
                50, 30, 0.5, 1024, 7);
        return new JobAssignment(42, "tok-1", Instant.parse("2026-12-02T22:00:00.123Z"), 2, "credit", "3",
                "models:/m-abc", null, "run9", "mlflow-artifacts:/1/run9/artifacts", "int8-dynamic",
                "{\"scheme\":\"int8-dynamic\"}", "ab".repeat(32), "cpu", false, "credit-scoring", "cd".repeat(32),
                evaluation, "ef".repeat(32), "mlflow-artifacts:/1/run1/artifacts/eval.csv",
                new Calibration(DatasetRef.uri("mlflow-artifacts:/1/run1/artifacts/calib.csv"), 2.0), null,
                Map.of("quantgate.eval_dataset", "eval.csv"), Duration.ofSeconds(15));
    }

    @Test
    void shouldRoundTripJobAssignmentWithIsoTimes() throws Exception {
        JobAssignment job = assignment();
        String json = WorkerWire.write(job);
        JsonNode tree = WorkerWire.mapper().readTree(json);
        assertEquals("2026-12-02T22:00:00.123Z", tree.get("leaseUntil").asText());
        assertEquals("PT15S", tree.get("heartbeatEvery").asText());
        assertEquals("tok-1", tree.get("leaseToken").asText());
        assertEquals(job, WorkerWire.read(json, JobAssignment.class));
    }

    @Test
    void shouldRoundTripWorkerInfo() {
        WorkerInfo info = new WorkerInfo("host-1", "gpu", Map.of("cores", 16, "gpus", List.of("H200")));
        assertEquals(info, WorkerWire.read(WorkerWire.write(info), WorkerInfo.class));
    }

    @Test
    void shouldRoundTripEveryOutcomeWithItsType() throws Exception {
        List<JobOutcome> outcomes = List.of(
                new JobOutcome.Succeeded(Map.of("schema", "quantgate.evidence/v1", "rows", 3, "n", List.of(1.5)),
                        "runs:/r/model", Map.of("scheme", "fp16"), Map.of("size_ratio", 0.5)),
                new JobOutcome.NotApplicable("nothing to quantize", Map.of("operators", List.of("TreeEnsembleClassifier"))),
                new JobOutcome.Failed("dataset_missing", "no tag", true));
        List<String> types = List.of("succeeded", "not_applicable", "failed");
        for (int i = 0; i < outcomes.size(); i++) {
            String json = WorkerWire.write(outcomes.get(i));
            assertEquals(types.get(i), WorkerWire.mapper().readTree(json).get("type").asText(), json);
            assertEquals(outcomes.get(i), WorkerWire.read(json, JobOutcome.class));
        }
    }

    @Test
    void shouldRoundTripHeartbeatAndReportBodiesInSnakeCase() throws Exception {
        WorkerWire.HeartbeatRequest hb = WorkerWire.HeartbeatRequest.of("tok", new Progress(Progress.Stage.QUANTIZING, 40));
        String json = WorkerWire.write(hb);
        assertEquals("{\"lease_token\":\"tok\",\"stage\":\"QUANTIZING\",\"percent\":40}", json);
        assertEquals(hb, WorkerWire.read(json, WorkerWire.HeartbeatRequest.class));
        assertEquals(new Progress(Progress.Stage.QUANTIZING, 40), hb.progress());
        assertNull(WorkerWire.HeartbeatRequest.of("tok", null).progress());

        WorkerWire.HeartbeatResponse until = new WorkerWire.HeartbeatResponse(Instant.parse("2026-12-02T22:01:00Z"));
        assertEquals("{\"lease_until\":\"2026-12-02T22:01:00Z\"}", WorkerWire.write(until));
        assertEquals(until, WorkerWire.read(WorkerWire.write(until), WorkerWire.HeartbeatResponse.class));

        WorkerWire.ReportRequest report = new WorkerWire.ReportRequest("tok", new JobOutcome.Failed("internal", "x", false));
        JsonNode tree = WorkerWire.mapper().readTree(WorkerWire.write(report));
        assertEquals("failed", tree.get("outcome").get("type").asText());
        assertEquals(report, WorkerWire.read(WorkerWire.write(report), WorkerWire.ReportRequest.class));
    }

    @Test
    void shouldIgnoreUnknownFieldsAndRefuseGarbage() {
        WorkerWire.HeartbeatResponse r = WorkerWire.read("{\"lease_until\":\"2026-12-02T22:01:00Z\",\"extra\":1}",
                WorkerWire.HeartbeatResponse.class);
        assertEquals(Instant.parse("2026-12-02T22:01:00Z"), r.leaseUntil());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerWire.read("{not json", JobAssignment.class));
        assertTrue(e.getMessage().contains("JobAssignment"), e.getMessage());
        assertInstanceOf(IllegalArgumentException.class,
                assertThrows(IllegalArgumentException.class, () -> WorkerWire.read("null", WorkerInfo.class)));
    }
}
