package dev.quantgate.mlflow.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantgate.api.Roles;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Permanent processing errors park a delivery at once, with a reason a person can read, and the
 * model's next delivery goes on; transient ones (MLflow unavailable) are retried with backoff. The
 * deliveries have the recorded {@code model_version_tag.set} shape; the real mirror processes them.
 */
@QuarkusTest
@TestProfile(WebhookToMirrorTest.RealMirror.class)
class InboxFailureKindsTest {

    /** Java exception names, SQL and PostgreSQL's own error texts: none of it belongs in a stored reason. */
    private static final Pattern INTERNAL = Pattern.compile(
            "[A-Za-z]+(Exception|Error)\\b|\\bSQL|ERROR:|\\binsert into\\b|\\bupdate \\w+ set\\b",
            Pattern.CASE_INSENSITIVE);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AgroalDataSource dataSource;

    @Inject
    InboxProcessor processor;

    @Inject
    java.time.Clock clock;

    private final FakeMlflow fake = FakeMlflow.get();

    @AfterEach
    void heal() {
        fake.up();
    }

    @Test
    void shouldParkANonNumericVersionAtOnceAndProcessTheModelsNextDelivery() {
        String model = seeded();
        String poison = store(tagSet(model, "abc", "stage", "x"));
        String next = store(tagSet(model, "1", "stage", "after"));

        assertEquals("parked", Inbox.awaitSettled(poison));
        assertEquals("processed", Inbox.awaitSettled(next), "the model's queue moves on");
        String error = Inbox.delivery(poison).then().extract().path("lastError");
        assertEquals(1, (int) Inbox.delivery(poison).then().extract().path("attempts"), "not retried: " + error);
        assertTrue(error.contains("'abc'"), "names the problem: " + error);
        assertFalse(INTERNAL.matcher(error).find(), "a person's message: " + error);
        assertEquals(List.of("mlflow.delivery.accepted", "mlflow.delivery.parked"), Inbox.auditActions(poison));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/" + model + "/versions/1").then().statusCode(200)
                .body("tags.stage", org.hamcrest.Matchers.equalTo("after"));
    }

    @Test
    void shouldParkAValueWithANulAtOnceNamingALogReference() {
        String model = seeded();
        String poison = store(tagSet(model, "1", "stage", "bad\u0000value"));
        String next = store(tagSet(model, "1", "stage", "good"));

        assertEquals("parked", Inbox.awaitSettled(poison));
        assertEquals("processed", Inbox.awaitSettled(next));
        String error = Inbox.delivery(poison).then().extract().path("lastError");
        assertEquals(1, (int) Inbox.delivery(poison).then().extract().path("attempts"), "not retried: " + error);
        assertTrue(error.contains("cannot be stored") && error.matches(".*\\(ref [0-9a-f]{6}\\).*"), error);
        assertFalse(INTERNAL.matcher(error).find(), "a person's message: " + error);
    }

    @Test
    void shouldRetryWhileMlflowIsUnavailableAndProcessOnceReleased() {
        String model = "unseen-" + UUID.randomUUID(); // not mirrored yet: the mirror must read MLflow
        fake.createVersion(model, "run-1");
        fake.down();
        String delivery = store(tagSet(model, "1", "stage", "x"));

        assertEquals("parked", Inbox.awaitSettled(delivery), "retried up to max-attempts (3), then parked");
        String error = Inbox.delivery(delivery).then().extract().path("lastError");
        assertEquals(3, (int) Inbox.delivery(delivery).then().extract().path("attempts"), error);
        assertTrue(error.startsWith("Gave up after 3 attempts") && error.contains("cannot be reached"), error);
        assertFalse(INTERNAL.matcher(error).find(), "a person's message: " + error);
        assertEquals(List.of("mlflow.delivery.accepted", "mlflow.delivery.failed", "mlflow.delivery.failed",
                "mlflow.delivery.parked"), Inbox.auditActions(delivery));

        fake.up();
        TestTokens.as(Roles.ADMIN).post("/api/v1/mlflow/deliveries/" + delivery + "/retry").then().statusCode(200);
        assertEquals("processed", Inbox.awaitSettled(delivery));
    }

    @Test
    void shouldTakeOverADeliveryWhoseClaimExpired() {
        String model = seeded();
        // A processor claimed it, then crashed before recording anything: its claim ran out a second ago.
        String orphan = store(tagSet(model, "1", "stage", "orphaned"), clock.instant().minusSeconds(1));

        assertEquals("processed", Inbox.awaitSettled(orphan));
        assertEquals(1, (int) Inbox.delivery(orphan).then().extract().path("attempts"));
        assertEquals(List.of("mlflow.delivery.accepted", "mlflow.delivery.processed"), Inbox.auditActions(orphan));
    }

    private String seeded() {
        String model = "kinds-" + UUID.randomUUID();
        fake.createVersion(model, "run-1");
        return model;
    }

    /** The recorded tag-set delivery with another model, version, key and value. */
    private static String tagSet(String model, String version, String key, String value) {
        try {
            ObjectNode body = (ObjectNode) JSON.readTree(RecordedDelivery.load("model_version_tag.set.json").body());
            ObjectNode data = (ObjectNode) body.get("data");
            data.put("name", model).put("version", version).put("key", key).put("value", value);
            return JSON.writeValueAsString(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Puts a delivery into the inbox as the receiver stores it (the receiver may refuse some bad
     * values at the edge; whatever reaches the inbox must still not poison the model's queue).
     */
    private String store(String body) {
        return store(body, null);
    }

    /** {@link #store(String)}, claimed by a processor that is gone, until {@code claimedUntil} (null: unclaimed). */
    private String store(String body, java.time.Instant claimedUntil) {
        String id = UUID.randomUUID().toString();
        String model;
        try {
            model = JSON.readTree(body).path("data").path("name").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO webhook_delivery (delivery_id, signed_at, entity, action, model_name, order_key, body, status,"
                        + " claim_token, claimed_until) VALUES (?, 1795715456, 'model_version_tag', 'set', ?, ?, ?, 'pending',"
                        + " ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, model);
            insert.setString(3, "model:" + model);
            insert.setString(4, body);
            insert.setString(5, claimedUntil == null ? null : "crashed-processor");
            insert.setObject(6, claimedUntil == null ? null
                    : java.time.OffsetDateTime.ofInstant(claimedUntil, java.time.ZoneOffset.UTC));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        processor.wake();
        return id;
    }
}
