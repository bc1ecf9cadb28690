package dev.quantgate.audit;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link AuditLog} on PostgreSQL. An append locks the single chain-head row
 * ({@code SELECT ... FOR UPDATE}), so concurrent appends queue and never share a previous hash,
 * then inserts the event and advances the head in one statement: two round trips in all.
 * The lock is held until the caller's transaction ends, so keep transactions that append short.
 */
@ApplicationScoped
public class ChainedAuditLog implements AuditLog {

    private static final String LOCK_HEAD = "SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE";
    private static final String INSERT_AND_ADVANCE = """
            WITH head AS (UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1)
            INSERT INTO audit_event (seq, occurred_at, actor, action, subject, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";

    private final AgroalDataSource dataSource;

    public ChainedAuditLog(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    @Transactional(Transactional.TxType.REQUIRED)
    public void append(String actor, String action, String subject, Map<String, ?> payload) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        String canonicalPayload = CanonicalJson.write(payload == null ? Map.of() : payload);
        // The connection is the one enlisted in the current transaction; closing it only releases the handle.
        try (Connection connection = dataSource.getConnection()) {
            long previousSeq;
            String previousHash;
            try (PreparedStatement lock = connection.prepareStatement(LOCK_HEAD);
                 ResultSet head = lock.executeQuery()) {
                if (!head.next()) {
                    throw new IllegalStateException("audit_chain_head has no row; the V2 migration did not run");
                }
                previousSeq = head.getLong(1);
                previousHash = head.getString(2);
            }
            long seq = previousSeq + 1;
            // Time is taken under the lock, so it never goes backwards along the chain.
            Instant now = Instant.now();
            String time = AuditHashing.formatTime(now);
            String hash = AuditHashing.hash(previousHash,
                    AuditHashing.content(seq, time, actor, action, subject, canonicalPayload));
            try (PreparedStatement insert = connection.prepareStatement(INSERT_AND_ADVANCE)) {
                insert.setLong(1, seq);
                insert.setString(2, hash);
                insert.setLong(3, seq);
                insert.setObject(4, OffsetDateTime.ofInstant(now.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
                insert.setString(5, actor);
                insert.setString(6, action);
                insert.setString(7, subject);
                insert.setString(8, canonicalPayload);
                insert.setString(9, previousHash);
                insert.setString(10, hash);
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot append audit event " + action + " on " + subject
                    + ": " + e.getMessage(), e);
        }
    }
}
