package dev.quantgate.jobs;

import dev.quantgate.api.Roles;
import dev.quantgate.registry.RegistryChange;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestDatabase;
import dev.quantgate.testing.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.util.TypeLiteral;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(JobsTestProfile.class)
class PlannerTest {

    @BeforeEach
    void quiet() {
        JobRows.finishAll();
    }

    @Test
    void shouldPlanARegistrationOnceWhetherByWebhookPollOrRedelivery() {
        String model = Pipeline.newModel();

        Pipeline.registered(model, 1, "webhook:delivery-1");
        Pipeline.registered(model, 1, "webhook:delivery-1");
        Pipeline.registered(model, 1, "poller");
        // even a second announcement of the same version (which the mirror never makes) plans nothing new
        Event<RegistryChange> changes = Arc.container().beanManager().getEvent()
                .select(new TypeLiteral<RegistryChange>() {
                });
        QuarkusTransaction.requiringNew().run(() -> changes.fire(new RegistryChange.VersionRegistered(model, "1",
                "runs:/r/model", "r", "READY", Map.of(), RegistryChange.Origin.of("poller"), Instant.now())));
        Pipeline.inspected();

        List<JobEntity> jobs = Pipeline.jobs(model);
        assertEquals(List.of("int8-dynamic", "fp16", "int4-weight-only"), jobs.stream().map(j -> j.scheme).toList());
        assertTrue(jobs.stream().allMatch(j -> j.jobState() == JobState.PREPARING && j.version == 1));
        assertEquals(List.of("cpu", "gpu", "gpu"), jobs.stream().map(j -> j.requirement).toList());
        assertEquals(List.of(false, false, true), jobs.stream().map(j -> j.cpuFallback).toList());
        List<String> writes = Pipeline.writes(model);
        assertEquals(4, writes.size(), "one run per job and one status tag: " + writes);
        assertEquals(3, writes.stream().filter(w -> w.startsWith("create-job-run")).count(), writes.toString());
        assertTrue(writes.stream().anyMatch(w -> w.contains("model-versions/set-tag")
                && w.contains("\"quantgate.status\"") && w.contains("\"planned\"")), writes.toString());
    }

    @Test
    void shouldQueueAJobWhenMlflowConfirmsItsRun() {
        String model = Pipeline.newModel();
        Pipeline.registered(model, 1, "webhook:" + TestTokens.shortId());

        Pipeline.runsCreated(model);
        Pipeline.runsCreated(model);

        for (JobEntity job : Pipeline.jobs(model)) {
            assertEquals(JobState.QUEUED, job.jobState());
            assertEquals("run-" + job.id, job.runId);
            assertEquals("mlflow-artifacts:/1/run-" + job.id + "/artifacts", job.runArtifactUri);
        }
    }

    @Test
    void shouldNotPlanAVersionThatIsAQuantGateVariant() {
        String model = Pipeline.newModel();
        FakeMlflow.get().setTag(model, 2, MirroredVersion.VARIANT_OF, "1");

        Pipeline.registered(model, 2, "webhook:" + TestTokens.shortId());

        assertEquals(List.of(), Pipeline.jobs(model));
        TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "2")).post("/api/v1/jobs/plan")
                .then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("NOT_PLANNABLE")).body("detail", containsString("variant"));
    }

    @Test
    void shouldPlanAMirroredVersionByHandOnce() throws SQLException {
        String model = Pipeline.newModel();
        Pipeline.registered(model, 1, "webhook:" + TestTokens.shortId());
        try (Connection c = TestDatabase.app();
             PreparedStatement forget = c.prepareStatement("DELETE FROM quantization_job WHERE model_name = ?")) {
            forget.setString(1, model);
            forget.executeUpdate();
        }

        TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON).body(Map.of("model", model, "version", "1"))
                .post("/api/v1/jobs/plan").then().statusCode(200)
                .body("policy", equalTo("jobs-test"))
                .body("policySha256", hasLength64())
                .body("created", hasSize(3))
                .body("jobs", hasSize(3))
                .body("jobs[0].state", equalTo("preparing"))
                .body("jobs[0].waiting_for", equalTo("mlflow_run"));
        TestTokens.as(Roles.ADMIN).contentType(ContentType.JSON).body(Map.of("model", model, "version", "1"))
                .post("/api/v1/jobs/plan").then().statusCode(200)
                .body("created", hasSize(0)).body("jobs", hasSize(3));
        assertEquals(3, Pipeline.jobs(model).size());
    }

    @Test
    void shouldNameWhyAVersionCannotBePlannedByHand() {
        TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON).body(Map.of("model", "jobs-nowhere", "version", "1"))
                .post("/api/v1/jobs/plan").then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("MODEL_VERSION_NOT_FOUND")).body("detail", containsString("jobs-nowhere"));

        String other = "other-" + TestTokens.shortId();
        FakeMlflow.get().seedFromFixtures(other);
        Pipeline.registered(other, 1, "webhook:" + TestTokens.shortId());
        assertEquals(List.of(), Pipeline.jobs(other), "no policy selects it: nothing planned");
        TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON).body(Map.of("model", other, "version", "1"))
                .post("/api/v1/jobs/plan").then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("NO_POLICY")).body("detail", containsString(other));

        TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON).body(Map.of("model", "jobs-\u0000", "version", "x"))
                .post("/api/v1/jobs/plan").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("errors.field", org.hamcrest.Matchers.hasItems("model", "version"));
    }

    private static org.hamcrest.Matcher<String> hasLength64() {
        return org.hamcrest.Matchers.matchesPattern("[0-9a-f]{64}");
    }
}
