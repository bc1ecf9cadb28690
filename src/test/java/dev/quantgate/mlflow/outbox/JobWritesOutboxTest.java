package dev.quantgate.mlflow.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.dto.OutboxItemView;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.FakeTracking;
import dev.quantgate.testing.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A job's writes through the outbox against the stateful fake MLflow: once each, answers recorded, events fired. */
@QuarkusTest
class JobWritesOutboxTest {

    @Inject
    MlflowOutbox outbox;

    @Inject
    OutboxDispatcher dispatcher;

    @Inject
    MlflowRegistryClient mlflow;

    @Inject
    ObservedWrites observed;

    @Inject
    ObjectMapper json;

    FakeMlflow fake;
    String model;
    long job;

    @BeforeEach
    void seed() {
        fake = FakeMlflow.get();
        fake.reset();
        model = "jobs-" + TestTokens.shortId();
        job = Math.abs(model.hashCode()) + 1000L;
        fake.seedFromFixtures(model);
        dispatchUntilIdle();
    }

    @Test
    void shouldCreateTheRunLogItsResultsAndRegisterTheVariantOnceEach() throws Exception {
        long created = enqueue(createRun());
        dispatchUntilIdle();
        OutboxItemView run = item(created);
        assertEquals("SENT", run.status());
        assertEquals("create-job-run", run.kind());
        JsonNode answer = json.readTree(run.result());
        FakeTracking.RunState mlflowRun = fake.run(answer.path("run_id").asText());
        assertEquals(Long.toString(job), mlflowRun.tags.get(MlflowWrite.JOB_TAG));
        assertEquals(model + "/1", mlflowRun.tags.get("quantgate.source_version"));
        assertEquals(fake.findExperiment("quantgate").id(), answer.path("experiment_id").asText());
        assertEquals(mlflowRun.artifactUri(), answer.path("artifact_uri").asText());

        long logged = enqueue(results(mlflowRun.id));
        long registered = enqueue(new MlflowWrite.CreateVariantVersion(model, job, mlflowRun.artifactUri() + "/model",
                mlflowRun.id, Map.of("quantgate.variant_of", "1", "quantgate.scheme", "fp16")));
        dispatchUntilIdle();

        assertEquals("FINISHED", mlflowRun.status);
        assertEquals(Map.of("scheme", "fp16", "weights", "fp16"), mlflowRun.params);
        assertEquals(Map.of("size_bytes", 2251.0, "latency_ratio", 0.91), mlflowRun.metrics);
        assertEquals(json.readTree("{\"version\":\"3\"}"), json.readTree(item(registered).result()));
        FakeMlflow.VersionState variant = fake.version(model, 3);
        assertEquals(Long.toString(job), variant.tags.get(MlflowWrite.JOB_TAG));
        assertEquals("fp16 variant of version 1", variant.description);
        assertEquals(mlflowRun.id, variant.runId);
        assertEquals("SENT", item(logged).status());
    }

    @Test
    void shouldFindTheEarlierRunAndVersionWhenAnAnswerWasLost() {
        // the first attempts reached MLflow, but their answers never came back: the outbox sends them again
        JsonNode first = mlflow.execute(createRun(), Instant.now());
        String runId = first.path("run_id").asText();
        MlflowWrite.CreateVariantVersion variant = new MlflowWrite.CreateVariantVersion(model, job,
                "mlflow-artifacts:/1/" + runId + "/artifacts/model", runId, Map.of());
        mlflow.execute(variant, Instant.now());

        long run = enqueue(createRun());
        long version = enqueue(variant);
        dispatchUntilIdle();

        assertEquals(runId, readResult(run).path("run_id").asText());
        assertEquals("3", readResult(version).path("version").asText());
        assertEquals(1, fake.runs().stream().filter(r -> Long.toString(job).equals(r.tags.get(MlflowWrite.JOB_TAG))).count(),
                "one run per job");
        assertEquals(3, fake.versionsOf(model).size(), "versions 1 and 2 and the one variant");
    }

    @Test
    void shouldSendTheSameResultsAgainHarmlessly() {
        String runId = mlflow.execute(createRun(), Instant.now()).path("run_id").asText();
        Instant madeAt = Instant.now();

        mlflow.execute(results(runId), madeAt);
        mlflow.execute(results(runId), madeAt);

        FakeTracking.RunState run = fake.run(runId);
        assertEquals(2, run.metricHistory.size(), "identical metrics are kept once, as MLflow does");
        assertEquals("FINISHED", run.status);
    }

    @Test
    void shouldConfirmAWriteInsideTheTransactionThatRecordsItSent() {
        long id = enqueue(new MlflowWrite.SetVersionTag(model, "1", "quantgate.status", "running"));
        dispatchUntilIdle();

        List<ObservedWrites.Seen> seen = observed.of(id);
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).inTransaction(), "observed inside a transaction");
        assertEquals("SENT", seen.get(0).rowStatus(), "that transaction already holds the row as SENT");
        WriteConfirmed event = assertInstanceOf(WriteConfirmed.class, seen.get(0).event());
        assertEquals(new MlflowWrite.SetVersionTag(model, "1", "quantgate.status", "running"), event.write(),
                "rebuilt from the stored form");
    }

    @Test
    void shouldLeaveTheWriteUnsentWhenTheObserverFails() {
        long id = enqueue(createRun());
        observed.failOnce(id);

        assertThrows(IllegalStateException.class, () -> dispatcher.dispatchDue());

        assertEquals("PENDING", item(id).status(), "the observer's failure rolled the record back");
        assertEquals(1, fake.runs().size(), "MLflow has the run; the next attempt will find it by its tag");
    }

    @Test
    void shouldParkAWriteMlflowRefusesAndSaySo() {
        long id = enqueue(results("0123456789abcdef0123456789abcdef"));
        dispatchUntilIdle();

        assertEquals("PARKED", item(id).status());
        List<ObservedWrites.Seen> seen = observed.of(id);
        assertEquals(1, seen.size());
        WriteParked parked = assertInstanceOf(WriteParked.class, seen.get(0).event());
        assertTrue(parked.reason().contains("RESOURCE_DOES_NOT_EXIST"), parked.reason());
        assertEquals("PARKED", seen.get(0).rowStatus());
    }

    private MlflowWrite.CreateJobRun createRun() {
        return new MlflowWrite.CreateJobRun(model, "1", job, "quantgate", model + "-v1-fp16", Map.of());
    }

    private MlflowWrite.LogRunResults results(String runId) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("scheme", "fp16");
        params.put("weights", "fp16");
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("size_bytes", 2251.0);
        metrics.put("latency_ratio", 0.91);
        return new MlflowWrite.LogRunResults(model, job, runId, params, metrics, "FINISHED");
    }

    private JsonNode readResult(long id) {
        try {
            return json.readTree(item(id).result());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private OutboxItemView item(long id) {
        return QuarkusTransaction.requiringNew().call(() -> outbox.get(id));
    }

    private long enqueue(MlflowWrite write) {
        return QuarkusTransaction.requiringNew().call(() -> outbox.enqueue(write, "tests"));
    }

    private void dispatchUntilIdle() {
        for (int i = 0; i < 20 && dispatcher.dispatchDue() > 0; i++) {
            // keep going while writes are due
        }
    }
}
