package dev.quantgate.mlflow.outbox;

import dev.quantgate.audit.AuditTrailService;
import dev.quantgate.audit.dto.AuditEventView;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.dto.OutboxItemView;
import dev.quantgate.api.Roles;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox against a fake MLflow that answers, goes down, comes back, or refuses. */
@QuarkusTest
class MlflowOutboxTest {

    @Inject
    MlflowOutbox outbox;

    @Inject
    OutboxDispatcher dispatcher;

    @Inject
    AuditTrailService auditTrail;

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    @Inject
    java.time.Clock clock;

    FakeMlflow fake;
    String model;

    @BeforeEach
    void seed() {
        fake = FakeMlflow.get();
        fake.reset();
        model = "outbox-" + TestTokens.shortId();
        fake.seedFromFixtures(model);
        dispatchUntilIdle(); // leftovers of other tests must not count here
        fake.server().resetRequests();
    }

    @Test
    void shouldSendACommittedWriteExactlyOnce() {
        long id = enqueue(new MlflowWrite.SetAlias(model, "champion", "2"));

        dispatcher.dispatchDue();
        dispatcher.dispatchDue();

        OutboxItemView item = item(id);
        assertEquals("SENT", item.status());
        assertEquals(1, item.attempts());
        assertEquals(2, fake.alias(model, "champion"));
        assertEquals(1, sent("POST", "registered-models/alias").size());
        assertEquals(List.of("mlflow.outbox.enqueued", "mlflow.outbox.sent"), auditActions(id));
        io.restassured.RestAssured.get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("quantgate_mlflow_outbox_attempts_total{outcome=\"sent\"}"));
    }

    @Test
    void shouldNotSendAWriteWhoseTransactionRolledBack() {
        assertThrows(IllegalStateException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            outbox.enqueue(new MlflowWrite.SetAlias(model, "champion", "1"), "tests");
            throw new IllegalStateException("the caller's change failed");
        }));

        dispatchUntilIdle();
        assertEquals(0, sent("POST", "registered-models/alias").size());
        assertNull(fake.alias(model, "champion"));
    }

    @Test
    void shouldKeepRetryingWhileMlflowIsDownAndSendOnceItIsBack() throws Exception {
        fake.down();
        long id = enqueue(new MlflowWrite.SetVersionTag(model, "1", "quantgate.status", "evaluated"));

        dispatcher.dispatchDue();
        OutboxItemView failed = item(id);
        assertEquals("PENDING", failed.status());
        assertEquals(1, failed.attempts());
        assertTrue(failed.lastError().contains("cannot be reached"), failed.lastError());
        assertTrue(failed.nextAttemptAt().isAfter(Instant.now().minusMillis(50)), "backs off before the next attempt");

        awaitDue(id);
        dispatcher.dispatchDue();
        assertEquals(2, item(id).attempts(), "retried while MLflow is still down");
        assertEquals("PENDING", item(id).status());

        fake.up();
        awaitDue(id);
        dispatcher.dispatchDue();
        dispatcher.dispatchDue();

        OutboxItemView sent = item(id);
        assertEquals("SENT", sent.status());
        assertEquals(3, sent.attempts());
        assertEquals("evaluated", fake.version(model, 1).tags.get("quantgate.status"));
        assertEquals(List.of("mlflow.outbox.enqueued", "mlflow.outbox.sent"), auditActions(id));
    }

    @Test
    void shouldRetryOverloadAndServerErrors() throws Exception {
        fake.answerAll(503, "{\"error_code\": \"TEMPORARILY_UNAVAILABLE\", \"message\": \"try later\"}");
        long id = enqueue(new MlflowWrite.TransitionStage(model, "1", "Staging", false));

        dispatcher.dispatchDue();
        assertEquals("PENDING", item(id).status());
        assertTrue(item(id).lastError().contains("503 TEMPORARILY_UNAVAILABLE"), item(id).lastError());

        fake.up();
        awaitDue(id);
        dispatcher.dispatchDue();
        assertEquals("SENT", item(id).status());
        assertEquals("Staging", fake.version(model, 1).stage);
    }

    @Test
    void shouldParkAWriteMlflowRefusesAndSendItAfterAnAdminRetry() {
        long id = enqueue(new MlflowWrite.SetVersionTag(model, "3", "k", "v"));

        dispatcher.dispatchDue();
        dispatcher.dispatchDue();

        OutboxItemView parked = item(id);
        assertEquals("PARKED", parked.status());
        assertEquals(1, parked.attempts());
        assertTrue(parked.lastError().contains("404 RESOURCE_DOES_NOT_EXIST"), parked.lastError());
        assertEquals(1, sent("POST", "model-versions/set-tag").size(), "a refused write is not resent by itself");
        TestTokens.as(Roles.AUDITOR).queryParam("status", "parked").queryParam("limit", 500)
                .get("/api/v1/admin/mlflow/outbox").then().statusCode(200)
                .body("items.id", hasItem((int) id));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/admin/mlflow/outbox/{id}", id).then().statusCode(200)
                .body("status", equalTo("PARKED"))
                .body("body", equalTo("{\"name\":\"" + model + "\",\"version\":\"3\",\"key\":\"k\",\"value\":\"v\"}"));

        fake.createVersion(model, "run3");
        TestTokens.as(Roles.ADMIN).post("/api/v1/admin/mlflow/outbox/{id}/retry", id).then().statusCode(200)
                .body("status", equalTo("PENDING"));
        TestTokens.as(Roles.ADMIN).post("/api/v1/admin/mlflow/outbox/{id}/retry", id).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo("Outbox item " + id + " is PENDING; only a PARKED item can be retried"));
        dispatcher.dispatchDue();

        assertEquals("SENT", item(id).status());
        assertEquals("v", fake.version(model, 3).tags.get("k"));
        // the second, refused retry is audited too (outcome failure)
        assertEquals(List.of("mlflow.outbox.enqueued", "mlflow.outbox.parked", "mlflow.outbox.retry",
                "mlflow.outbox.retry", "mlflow.outbox.sent"), auditActions(id));
    }

    @Test
    void shouldSendWritesToOneModelInOrderEvenAfterAFailure() throws Exception {
        fake.down();
        long first = enqueue(new MlflowWrite.SetAlias(model, "champion", "1"));
        long second = enqueue(new MlflowWrite.SetAlias(model, "champion", "2"));

        dispatcher.dispatchDue();
        assertEquals(1, item(first).attempts());
        assertEquals(0, item(second).attempts(), "waits behind the earlier write to the same model");

        fake.up();
        awaitDue(first);
        dispatchUntilIdle();

        assertEquals("SENT", item(first).status());
        assertEquals("SENT", item(second).status());
        assertEquals(2, fake.alias(model, "champion"));
        List<String> versions = sent("POST", "registered-models/alias").stream()
                .map(b -> b.path("version").asText()).toList();
        assertEquals(List.of("1", "1", "2"), versions);
    }

    @Test
    void shouldLeaveALiveClaimAloneAndSendAgainOnceTheClaimExpired() throws Exception {
        long id = enqueue(new MlflowWrite.SetAlias(model, "champion", "2"));
        claimAsAnotherDispatcher(id, clock.instant().plusSeconds(60));

        dispatcher.dispatchDue();
        assertEquals("PENDING", item(id).status(), "another dispatcher holds it");
        assertEquals(0, sent("POST", "registered-models/alias").size());

        claimAsAnotherDispatcher(id, clock.instant().minusSeconds(1)); // that dispatcher crashed mid-send
        dispatcher.dispatchDue();

        OutboxItemView item = item(id);
        assertEquals("SENT", item.status());
        assertEquals(2, item.attempts(), "the crashed attempt and this one");
        assertEquals(2, fake.alias(model, "champion"));
        assertEquals(List.of("mlflow.outbox.enqueued", "mlflow.outbox.sent"), auditActions(id));
    }

    @Test
    void shouldRejectAnUnknownStatusFilter() {
        TestTokens.as(Roles.ADMIN).queryParam("status", "lost").get("/api/v1/admin/mlflow/outbox").then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("status must be one of PENDING, SENT, PARKED, was 'lost'"));
        TestTokens.as(Roles.ADMIN).get("/api/v1/admin/mlflow/outbox/{id}", Long.MAX_VALUE).then().statusCode(404)
                .contentType("application/problem+json");
    }

    /** Marks the write as claimed (one attempt begun) by a dispatcher that is not this one, until {@code until}. */
    private void claimAsAnotherDispatcher(long id, Instant until) throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
                "UPDATE mlflow_outbox SET claim_token = 'other-dispatcher', claimed_until = ?, attempts = 1 WHERE id = ?")) {
            ps.setObject(1, java.time.OffsetDateTime.ofInstant(until, java.time.ZoneOffset.UTC));
            ps.setLong(2, id);
            assertEquals(1, ps.executeUpdate());
        }
    }

    /** Read in a transaction of its own: the test's request context would otherwise cache the first read. */
    private OutboxItemView item(long id) {
        return QuarkusTransaction.requiringNew().call(() -> outbox.get(id));
    }

    /** Requests to this path about this test's model (other tests' leftovers may reach the fake too). */
    private List<com.fasterxml.jackson.databind.JsonNode> sent(String method, String path) {
        return fake.requestBodies(method, path).stream().filter(b -> model.equals(b.path("name").asText())).toList();
    }

    private long enqueue(MlflowWrite write) {
        return QuarkusTransaction.requiringNew().call(() -> outbox.enqueue(write, "tests"));
    }

    private void awaitDue(long id) throws InterruptedException {
        Instant due = item(id).nextAttemptAt();
        long waitMs = Duration.between(Instant.now(), due).toMillis() + 20;
        if (waitMs > 0) {
            Thread.sleep(waitMs);
        }
    }

    private void dispatchUntilIdle() {
        for (int i = 0; i < 20 && dispatcher.dispatchDue() > 0; i++) {
            // keep going while writes are due
        }
    }

    private List<String> auditActions(long id) {
        return auditTrail.events(0, 500, "mlflow-outbox:" + id, null, null).items().stream()
                .filter(e -> e.subject().equals("mlflow-outbox:" + id))
                .map(AuditEventView::action).toList();
    }
}
