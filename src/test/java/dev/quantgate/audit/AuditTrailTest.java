package dev.quantgate.audit;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestDatabase;
import dev.quantgate.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class AuditTrailTest {

    @Inject
    AuditLog auditLog;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    AuditSealer sealer;

    @Test
    void shouldStoreCanonicalPayloadAndReportAnIntactChain() {
        String subject = "test:canonical-" + TestTokens.shortId();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("b", 1.0);
        payload.put("a", Arrays.asList(true, null, "x"));
        auditLog.append("tester", "test.canonical", subject, payload);

        TestTokens.as(Roles.AUDITOR).queryParam("subject", subject).get("/api/v1/audit/events")
                .then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].actor", equalTo("tester"))
                .body("items[0].action", equalTo("test.canonical"))
                .body("items[0].payload.a[0]", equalTo(true))
                .body("items[0].hash.size()", equalTo(64))
                .body("next", nullValue());
        assertEquals("{\"a\":[true,null,\"x\"],\"b\":1}", storedPayload(subject));

        verify().then().statusCode(200).body("intact", equalTo(true)).body("firstBrokenSeq", nullValue());
    }

    @Test
    void shouldRefusePlainUpdateAndDeleteOfAuditEvents() throws SQLException {
        String subject = "test:immutable-" + TestTokens.shortId();
        auditLog.append("tester", "test.immutable", subject, Map.of());
        sealer.sealAll();

        // The service's own role has no such privilege at all ...
        SQLException update = assertThrows(SQLException.class,
                () -> execute("UPDATE audit_event SET actor = 'mallory' WHERE subject = '" + subject + "'"));
        assertTrue(update.getMessage().contains("permission denied"), update.getMessage());
        SQLException delete = assertThrows(SQLException.class,
                () -> execute("DELETE FROM audit_event WHERE subject = '" + subject + "'"));
        assertTrue(delete.getMessage().contains("permission denied"), delete.getMessage());
        assertThrows(SQLException.class, () -> execute("TRUNCATE audit_event"));
        // ... and even the owning role meets the triggers.
        SQLException ownerUpdate = assertThrows(SQLException.class,
                () -> asOwner("UPDATE audit_event SET actor = 'mallory' WHERE subject = '" + subject + "'"));
        assertTrue(ownerUpdate.getMessage().contains("append-only"), ownerUpdate.getMessage());
        SQLException ownerTruncate = assertThrows(SQLException.class, () -> asOwner("TRUNCATE audit_event"));
        assertTrue(ownerTruncate.getMessage().contains("append-only"), ownerTruncate.getMessage());
        assertEquals("{}", storedPayload(subject));
    }

    @Test
    void shouldNotLetTheServiceRoleDisableTheAuditTriggersOrBeASuperuser() throws SQLException {
        for (String sql : List.of("ALTER TABLE audit_event DISABLE TRIGGER ALL",
                "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete",
                "DROP TRIGGER audit_event_no_truncate ON audit_event",
                "ALTER TABLE audit_pending DISABLE TRIGGER ALL",
                "CREATE TABLE intruder (id int)")) {
            SQLException e = assertThrows(SQLException.class, () -> execute(sql), sql);
            assertTrue(e.getMessage().contains("must be owner") || e.getMessage().contains("permission denied"),
                    sql + ": " + e.getMessage());
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user, rolsuper, rolcreaterole, rolbypassrls"
                     + " FROM pg_roles WHERE rolname = current_user")) {
            assertTrue(rs.next());
            assertEquals("quantgate_app", rs.getString(1));
            assertFalse(rs.getBoolean(2), "the service must not connect as a superuser");
            assertFalse(rs.getBoolean(3));
            assertFalse(rs.getBoolean(4));
        }
    }

    @Test
    void shouldRefuseChangesToEventsWaitingToBeSealed() throws SQLException {
        try (Connection c = TestDatabase.owner(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO audit_pending (occurred_at, actor, action, subject, payload)"
                    + " VALUES (now(), 'tester', 'test.pending', 'test:pending', '{}')");
            SQLException update = assertThrows(SQLException.class,
                    () -> s.execute("UPDATE audit_pending SET actor = 'mallory' WHERE subject = 'test:pending'"));
            assertTrue(update.getMessage().contains("cannot be changed"), update.getMessage());
            c.rollback();
        }
        SQLException update = assertThrows(SQLException.class,
                () -> execute("UPDATE audit_pending SET actor = 'mallory' WHERE subject = 'test:pending'"));
        assertTrue(update.getMessage().contains("permission denied"), update.getMessage());
    }

    @Test
    void shouldRefuseMovingTheChainHeadBackwards() {
        sealer.sealAll();
        SQLException back = assertThrows(SQLException.class,
                () -> execute("UPDATE audit_chain_head SET seq = 0 WHERE id = 1"));
        assertTrue(back.getMessage().contains("only moves forward"), back.getMessage());
        assertThrows(SQLException.class, () -> execute("DELETE FROM audit_chain_head"));
        assertThrows(SQLException.class, () -> asOwner("DELETE FROM audit_chain_head"));
    }

    @Test
    void shouldNameTheSequenceNumberOfARowAlteredBehindTheTriggersBack() throws Exception {
        String subject = "test:tamper-" + TestTokens.shortId();
        auditLog.append("tester", "test.tamper", subject, Map.of("amount", 10));
        auditLog.append("tester", "test.tamper.after", subject, Map.of());
        long seq = seqOf(subject, "test.tamper");
        try {
            // As the owning role: switch the guard off, change history, switch it back on.
            asOwner("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete;"
                    + "UPDATE audit_event SET payload = '{\"amount\":1000}' WHERE seq = " + seq + ";"
                    + "ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");

            verify().then().statusCode(200)
                    .body("intact", equalTo(false))
                    .body("firstBrokenSeq", equalTo((int) seq))
                    .body("verified", equalTo((int) seq - 1))
                    .body("reason", startsWith("Event " + seq + " was altered"));
        } finally {
            asOwner("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete;"
                    + "UPDATE audit_event SET payload = '{\"amount\":10}' WHERE seq = " + seq + ";"
                    + "ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
        }
        verify().then().statusCode(200).body("intact", equalTo(true));
    }

    @Test
    void shouldVerifyEventsSealedInTheOldFormBesideNewOnesAndFindATamperedOldOne() throws Exception {
        String subject = "test:legacy-" + TestTokens.shortId();
        sealer.sealAll();
        // Seal two events exactly as the code before RFC 8785 did (form 1), at the head of the chain.
        long first;
        try (Connection c = TestDatabase.app()) {
            c.setAutoCommit(false);
            long seq;
            String hash;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")) {
                rs.next();
                seq = rs.getLong(1);
                hash = rs.getString(2);
            }
            first = seq + 1;
            for (Map<String, Object> payload : List.<Map<String, Object>>of(Map.of("ratio", 1e21, "f", 0.5f),
                    Map.of("note", "tab\tbell\u0007"))) {
                seq++;
                java.time.OffsetDateTime at = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC)
                        .truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                String time = AuditHashing.formatTime(at.toInstant());
                String text = LegacyHashForm.write(payload);
                String next = LegacyHashForm.hash(hash,
                        LegacyHashForm.content(seq, time, "legacy", "test.legacy", subject, text));
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_event (seq, occurred_at, actor,"
                        + " action, subject, payload, prev_hash, hash, hash_form) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)")) {
                    ps.setLong(1, seq);
                    ps.setObject(2, at);
                    ps.setString(3, "legacy");
                    ps.setString(4, "test.legacy");
                    ps.setString(5, subject);
                    ps.setString(6, text);
                    ps.setString(7, hash);
                    ps.setString(8, next);
                    ps.executeUpdate();
                }
                hash = next;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1")) {
                ps.setLong(1, seq);
                ps.setString(2, hash);
                ps.executeUpdate();
            }
            c.commit();
        }
        assertEquals("{\"f\":0.5,\"ratio\":1000000000000000000000}", storedPayload(subject + "", first));
        auditLog.append("tester", "test.after-legacy", subject, Map.of("ratio", 1e21));
        sealer.sealAll();

        TestTokens.as(Roles.AUDITOR).queryParam("subject", subject).get("/api/v1/audit/events")
                .then().statusCode(200).body("items", hasSize(3))
                .body("items[0].hashForm", equalTo(1)).body("items[1].hashForm", equalTo(1))
                .body("items[2].hashForm", equalTo(2));
        assertEquals("{\"ratio\":1e+21}", storedPayload(subject, seqOf(subject, "test.after-legacy")));
        verify().then().statusCode(200).body("intact", equalTo(true));

        try {
            asOwner("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete;"
                    + "UPDATE audit_event SET actor = 'mallory' WHERE seq = " + first + ";"
                    + "ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
            verify().then().statusCode(200).body("intact", equalTo(false))
                    .body("firstBrokenSeq", equalTo((int) first));
        } finally {
            asOwner("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete;"
                    + "UPDATE audit_event SET actor = 'legacy' WHERE seq = " + first + ";"
                    + "ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
        }
        verify().then().statusCode(200).body("intact", equalTo(true));
    }

    @Test
    void shouldNeverGiveTwoConcurrentAppendsTheSamePreviousHash() throws Exception {
        String subject = "test:concurrent-" + TestTokens.shortId();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        auditLog.append("tester", "test.concurrent", subject, Map.of("thread", thread, "i", i));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        sealer.sealAll();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT prev_hash), max(seq) - min(seq) + 1"
                     + " FROM audit_event WHERE subject = '" + subject + "'")) {
            rs.next();
            assertEquals(200, rs.getLong(1));
            assertEquals(200, rs.getLong(2));
        }
        verify().then().statusCode(200).body("intact", equalTo(true));
    }

    @Test
    void shouldJoinTheCallersTransactionAndRollBackWithIt() {
        String subject = "test:rollback-" + TestTokens.shortId();
        QuarkusTransaction.begin();
        auditLog.append("tester", "test.rollback", subject, Map.of());
        QuarkusTransaction.rollback();

        TestTokens.as(Roles.AUDITOR).queryParam("subject", subject).get("/api/v1/audit/events")
                .then().statusCode(200).body("items", hasSize(0));
        verify().then().statusCode(200).body("intact", equalTo(true));
    }

    @Test
    void shouldPageEventsWithAKeysetCursorAndFilterByPrefix() {
        String subject = "test:page-" + TestTokens.shortId();
        for (int i = 0; i < 3; i++) {
            auditLog.append("tester", "test.page." + i, subject + "/" + i, Map.of("i", i));
        }
        auditLog.append("tester", "test.page.other", "test:elsewhere", Map.of());

        Response first = TestTokens.as(Roles.ADMIN).queryParam("subject", subject).queryParam("limit", 2)
                .get("/api/v1/audit/events");
        first.then().statusCode(200).body("items", hasSize(2)).body("items[0].action", equalTo("test.page.0"));
        String next = first.path("next");
        assertFalse(next == null || next.isBlank());

        TestTokens.as(Roles.ADMIN).queryParam("subject", subject).queryParam("limit", 2).queryParam("after", next)
                .get("/api/v1/audit/events")
                .then().statusCode(200).body("items", hasSize(1)).body("items[0].action", equalTo("test.page.2"))
                .body("next", nullValue());

        TestTokens.as(Roles.ADMIN).queryParam("action", "test.page.1").get("/api/v1/audit/events")
                .then().statusCode(200).body("items", hasSize(1)).body("items[0].subject", equalTo(subject + "/1"));
    }

    @Test
    void shouldAnswerProblemForACursorThatIsNotOne() {
        TestTokens.as(Roles.AUDITOR).queryParam("after", "yesterday").get("/api/v1/audit/events")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("INVALID_CURSOR"))
                .body("status", equalTo(400))
                .body("detail", startsWith("after must be a cursor"));
    }

    private static Response verify() {
        return TestTokens.as(Roles.AUDITOR).get("/api/v1/audit/verify");
    }

    private long seqOf(String subject, String action) throws SQLException {
        sealer.sealAll();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT seq FROM audit_event WHERE subject = ? AND action = ?")) {
            ps.setString(1, subject);
            ps.setString(2, action);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getLong(1);
            }
        }
    }

    private String storedPayload(String subject) {
        sealer.sealAll();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT payload FROM audit_event WHERE subject = ?")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private String storedPayload(String subject, long seq) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT payload FROM audit_event WHERE subject = ? AND seq = ?")) {
            ps.setString(1, subject);
            ps.setLong(2, seq);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    private static void asOwner(String sql) throws SQLException {
        try (Connection c = TestDatabase.owner(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
