package dev.quantgate.audit;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link AuditLog} on PostgreSQL. An append is one insert into {@code audit_pending}, in the
 * caller's transaction: it commits (or rolls back) with the change it describes, and takes no
 * lock, so concurrent appending transactions commit in parallel. The {@link AuditSealer} then
 * chains committed events (sequence number, previous hash, hash) in batches, within milliseconds.
 */
@ApplicationScoped
public class ChainedAuditLog implements AuditLog {

    private static final String INSERT_PENDING =
            "INSERT INTO audit_pending (occurred_at, actor, action, subject, payload) VALUES (?, ?, ?, ?, ?)";

    private final AgroalDataSource dataSource;
    private final TransactionSynchronizationRegistry transactions;
    private final AuditSealer sealer;

    public ChainedAuditLog(AgroalDataSource dataSource, TransactionSynchronizationRegistry transactions,
                           AuditSealer sealer) {
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.sealer = sealer;
    }

    @Override
    @Transactional(Transactional.TxType.REQUIRED)
    public void append(String actor, String action, String subject, Map<String, ?> payload) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        // Values a column cannot hold are escaped or cut, with a note in the payload: never a lost event.
        AuditValues.Storable event = AuditValues.of(actor, action, subject, payload);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        // The connection is the one enlisted in the current transaction; closing it only releases the handle.
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT_PENDING)) {
            insert.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            insert.setString(2, event.actor());
            insert.setString(3, event.action());
            insert.setString(4, event.subject());
            insert.setString(5, event.payload());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot append audit event " + event.action() + " on "
                    + event.subject() + ": " + e.getMessage(), e);
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    sealer.nudge();
                }
            }
        });
    }
}
