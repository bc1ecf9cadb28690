package dev.quantgate.mlflow.outbox;

import dev.quantgate.kernel.ClaimRenewal;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.testing.Await;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outbox claims are short (3 s in tests) and renewed while their write is sent: a slow send keeps its claim past the
 * first expiry, so no other dispatcher sends it again, while a claim left by a crash lapses within one length.
 */
@QuarkusTest
class OutboxClaimRenewalTest {

    @Inject
    MlflowOutbox outbox;

    @Inject
    OutboxDispatcher dispatcher;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    Clock clock;

    FakeMlflow fake;
    String model;

    @BeforeEach
    void seed() {
        fake = FakeMlflow.get();
        fake.reset();
        model = "renewal-" + TestTokens.shortId();
        fake.seedFromFixtures(model);
        while (dispatcher.dispatchDue() > 0) {
            // other tests' leftovers go first
        }
        fake.server().resetRequests();
    }

    @AfterEach
    void noDelay() {
        fake.server().setGlobalFixedDelay(0);
    }

    @Test
    void shouldKeepASlowSendsClaimPastItsFirstExpirySoNoOtherDispatcherSendsItAgain() throws Exception {
        long id = enqueue(new MlflowWrite.SetAlias(model, "champion", "2"));
        fake.server().setGlobalFixedDelay(5_000); // longer than the 3 s claim
        CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(dispatcher::dispatchDue);
        Await.until(() -> claim(id).token() != null, Duration.ofSeconds(10), "the slow dispatch claims the write");
        Instant firstExpiry = claim(id).until();
        assertTrue(Duration.between(clock.instant(), firstExpiry).compareTo(Duration.ofSeconds(4)) < 0,
                "claims are short: " + firstExpiry);

        Await.until(() -> clock.instant().isAfter(firstExpiry.plusMillis(200)), Duration.ofSeconds(10),
                "the first claim's expiry passes while the write is still being sent");
        Claim renewed = claim(id);
        assertTrue(renewed.until().isAfter(clock.instant()), "renewed: " + renewed.until());
        fake.server().setGlobalFixedDelay(0);
        dispatcher.dispatchDue(); // another dispatcher's turn (it may send other tests' writes, due by now)
        assertEquals(renewed.token(), claim(id).token(), "the claim is alive: nobody took the write over");
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> outbox.get(id)).attempts(), "not sent again");

        assertEquals(1, slow.get().intValue());
        assertEquals("SENT", QuarkusTransaction.requiringNew().call(() -> outbox.get(id)).status());
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> outbox.get(id)).attempts());
        assertEquals(1, fake.requestBodies("POST", "registered-models/alias").stream()
                .filter(b -> model.equals(b.path("name").asText())).count(), "sent once");
        assertNull(claim(id).token(), "the claim is released with the outcome");
    }

    @Test
    void shouldRenewOnlyHeldClaimsThatStillCarryTheirToken() throws Exception {
        long mine = enqueue(new MlflowWrite.SetAlias(model, "champion", "1"));
        long takenOver = enqueue(new MlflowWrite.SetAlias(model, "challenger", "2"));
        long notHeld = enqueue(new MlflowWrite.SetAlias(model, "shadow", "3"));
        Instant soon = clock.instant().plusSeconds(5).truncatedTo(ChronoUnit.MICROS);
        setClaim(mine, "mine", soon);
        setClaim(takenOver, "someone-else", soon);
        setClaim(notHeld, "crashed", soon);
        try (ClaimRenewal renewal = new ClaimRenewal("test", dataSource, "mlflow_outbox", clock, Duration.ofHours(1))) {
            ClaimRenewal.Held held = renewal.hold(mine, "mine");
            renewal.hold(takenOver, "mine"); // its claim was taken over by another token since
            Instant before = clock.instant();

            assertEquals(1, renewal.renew());
            Instant renewed = claim(mine).until();
            assertTrue(!renewed.isBefore(before.plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MICROS))
                    && !renewed.isAfter(clock.instant().plus(Duration.ofHours(1))), renewed.toString());
            assertEquals(soon, claim(takenOver).until(), "another token's claim is left alone");
            assertEquals(soon, claim(notHeld).until(), "a claim nobody holds lapses");

            held.close();
            setClaim(mine, "mine", soon);
            renewal.renew();
            assertEquals(soon, claim(mine).until(), "no longer held: not renewed");
        }
        for (long id : new long[]{mine, takenOver, notHeld}) {
            setClaim(id, null, null);
        }
    }

    private record Claim(String token, Instant until) {
    }

    private Claim claim(long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT claim_token, claimed_until FROM mlflow_outbox WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "outbox row " + id);
                OffsetDateTime until = rs.getObject(2, OffsetDateTime.class);
                return new Claim(rs.getString(1), until == null ? null : until.toInstant());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void setClaim(long id, String token, Instant until) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE mlflow_outbox SET claim_token = ?, claimed_until = ? WHERE id = ?")) {
            ps.setString(1, token);
            ps.setObject(2, until == null ? null : OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
            ps.setLong(3, id);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private long enqueue(MlflowWrite write) {
        return QuarkusTransaction.requiringNew().call(() -> outbox.enqueue(write, "tests"));
    }
}
