package dev.quantgate.mlflow.webhook;

import dev.quantgate.testing.FakeMlflow;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, "no MLflow call while a transaction holds locks": the fake MLflow answers one model's
 * calls after 20 s. While that call is in flight, deliveries for other models are processed, no
 * database transaction stays open, connections are still handed out at once, and readiness stays UP.
 */
@QuarkusTest
@TestProfile(SlowMlflowTest.SlowProfile.class)
class SlowMlflowTest {

    /** The webhook profile with a sink that reads MLflow in its prepare phase, and reads that may take 30 s. */
    public static class SlowProfile extends WebhookTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("quantgate.mlflow.read-timeout", "30s");
            // claims far shorter than the slow read: only their renewal keeps the delivery this processor's
            config.put("quantgate.webhook.inbox.claim-timeout", "6s");
            return config;
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(FetchingSink.class);
        }
    }

    private static final Duration SLOW = Duration.ofSeconds(20);

    @Inject
    FetchingSink sink;

    @Inject
    WebhookClock clock;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    dev.quantgate.testing.MutableClock testClock;

    private final FakeMlflow fake = FakeMlflow.get();

    @AfterEach
    void heal() {
        fake.up();
    }

    @Test
    void shouldKeepProcessingOtherModelsWhileOneModelsMlflowCallTakesTwentySeconds() throws Exception {
        fake.reset();
        String slow = "slow-" + UUID.randomUUID();
        fake.createVersion(slow, "run-slow");
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            others.add("quick-" + i + "-" + UUID.randomUUID());
            fake.createVersion(others.get(i), "run-" + i);
        }
        fake.slowFor(slow, SLOW);
        long started = System.nanoTime();

        String slowDelivery = send(slow);
        Inbox.await(() -> sink.preparing(slow), Duration.ofSeconds(10), "the slow model's MLflow read to start");
        List<String> quick = new ArrayList<>();
        for (String model : others) {
            quick.add(send(model));
        }

        Inbox.await(() -> others.stream().allMatch(sink::applied), Duration.ofSeconds(15),
                "the other models' deliveries to be processed");
        assertFalse(sink.applied(slow), "the slow model's read is still in flight");
        assertTrue(elapsed(started).compareTo(SLOW) < 0, "all of it happened within the 20 s of the slow read");
        quick.forEach(id -> assertEquals("processed", Inbox.status(id)));

        assertEquals(List.of(), longTransactions(), "no transaction stays open while MLflow is slow");
        long t0 = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            assertTrue(c.isValid(1));
        }
        assertTrue(elapsed(t0).toMillis() < 1000, "a connection is handed out at once: the pool is not exhausted");
        RestAssured.get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        assertEquals("pending", Inbox.status(slowDelivery), "claimed, not retried, while its read is in flight");
        // the 6 s claim is renewed every 2 s while the read lasts: move the clock 1 s at a time (never past the
        // claim), and see each renewal reach the new "now" plus 6 s, past the first claim's expiry
        Instant firstExpiry = claimedUntil(slowDelivery);
        for (int i = 0; i < 3; i++) {
            testClock.advance(Duration.ofSeconds(1));
            Instant now = clock.now();
            Inbox.await(() -> !claimedUntil(slowDelivery).isBefore(now.plusSeconds(6).truncatedTo(
                    java.time.temporal.ChronoUnit.MICROS)), Duration.ofSeconds(5), "the claim renewed past " + now);
        }
        assertTrue(claimedUntil(slowDelivery).isAfter(firstExpiry.plusSeconds(3)), "renewed beyond its first expiry");

        Inbox.await(() -> {
            RestAssured.get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            return sink.applied(slow);
        }, Duration.ofSeconds(40), "the slow delivery to finish, readiness UP throughout");
        assertEquals("processed", Inbox.awaitSettled(slowDelivery));
        assertEquals(1, sink.appliedCount(slow), "applied once: its claim outlived the slow read");
    }

    private String send(String model) {
        String id = UUID.randomUUID().toString();
        SignedDelivery.send(id, SignedDelivery.tagSet(model, "1", "k", "v"), clock.now(), SignedDelivery.SECRET)
                .then().statusCode(202);
        return id;
    }

    private Instant claimedUntil(String deliveryId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT claimed_until FROM webhook_delivery WHERE delivery_id = ?")) {
            ps.setString(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "delivery " + deliveryId);
                java.time.OffsetDateTime until = rs.getObject(1, java.time.OffsetDateTime.class);
                assertNotNull(until, "delivery " + deliveryId + " is claimed");
                return until.toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sessions of this database (other than this one) whose transaction has been open for over 3 s. */
    private List<String> longTransactions() throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT pid, state, left(query, 120) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid() AND xact_start < now() - interval '3 seconds'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(rs.getInt(1) + " " + rs.getString(2) + ": " + rs.getString(3));
            }
        }
        return found;
    }

    private static Duration elapsed(long since) {
        return Duration.ofNanos(System.nanoTime() - since);
    }
}
