package dev.quantgate.audit;

import dev.quantgate.kernel.BackgroundLoop;
import dev.quantgate.kernel.Loops;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves committed appends from {@code audit_pending} into the hash chain. Sealing locks the
 * single chain-head row ({@code SELECT ... FOR UPDATE}), so sealers, in this process or another,
 * take turns and two events never share a previous hash. A background thread seals as soon as an
 * appending transaction commits (and every {@value #IDLE_WAIT_MS} ms regardless); readers of the
 * trail call {@link #sealAll()} first, so they see every committed event.
 */
@Startup
@ApplicationScoped
public class AuditSealer {

    private static final Logger LOG = Logger.getLogger(AuditSealer.class);
    private static final int BATCH = 1000;
    private static final long IDLE_WAIT_MS = 500;

    private static final String LOCK_HEAD = "SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE";
    private static final String PENDING = "SELECT id, occurred_at, actor, action, subject, payload"
            + " FROM audit_pending ORDER BY id LIMIT " + BATCH;
    private static final String INSERT_EVENT = "INSERT INTO audit_event"
            + " (seq, occurred_at, actor, action, subject, payload, prev_hash, hash, hash_form)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String DELETE_PENDING = "DELETE FROM audit_pending WHERE id = ANY (?)";
    private static final String ADVANCE_HEAD = "UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1";

    private final AgroalDataSource dataSource;
    private final BackgroundLoop loop;

    public AuditSealer(AgroalDataSource dataSource, Loops loops) {
        this.dataSource = dataSource;
        Duration idle = Duration.ofMillis(IDLE_WAIT_MS);
        this.loop = loops.start("audit-sealer", 1, idle, () -> {
            sealAll();
            return idle;
        });
    }

    /** Asks the background thread to seal soon (called after an appending transaction commits). */
    public void nudge() {
        loop.wake();
    }

    /** Seals every event committed so far, in its own transactions; returns how many. */
    public int sealAll() {
        int total = 0;
        int sealed;
        do {
            sealed = QuarkusTransaction.requiringNew().call(this::sealBatch);
            total += sealed;
        } while (sealed == BATCH);
        return total;
    }

    private record Pending(long id, OffsetDateTime occurredAt, String actor, String action, String subject,
                           String payload) {
    }

    /** One batch, in the current (new) transaction. */
    private int sealBatch() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long seq;
            String hash;
            try (PreparedStatement lock = c.prepareStatement(LOCK_HEAD); ResultSet head = lock.executeQuery()) {
                if (!head.next()) {
                    throw new IllegalStateException("audit_chain_head has no row; the V2 migration did not run");
                }
                seq = head.getLong(1);
                hash = head.getString(2);
            }
            List<Pending> batch = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(PENDING); ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    batch.add(new Pending(rs.getLong(1), rs.getObject(2, OffsetDateTime.class), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6)));
                }
            }
            if (batch.isEmpty()) {
                return 0;
            }
            Long[] ids = new Long[batch.size()];
            try (PreparedStatement insert = c.prepareStatement(INSERT_EVENT)) {
                for (int i = 0; i < batch.size(); i++) {
                    Pending p = batch.get(i);
                    ids[i] = p.id();
                    seq++;
                    String time = AuditHashing.formatTime(p.occurredAt().toInstant());
                    String next = AuditHashing.hash(AuditHashing.CURRENT_FORM, seq, time, p.actor(), p.action(),
                            p.subject(), p.payload(), hash);
                    insert.setLong(1, seq);
                    insert.setObject(2, p.occurredAt());
                    insert.setString(3, p.actor());
                    insert.setString(4, p.action());
                    insert.setString(5, p.subject());
                    insert.setString(6, p.payload());
                    insert.setString(7, hash);
                    insert.setString(8, next);
                    insert.setShort(9, (short) AuditHashing.CURRENT_FORM);
                    insert.addBatch();
                    hash = next;
                }
                insert.executeBatch();
            }
            try (PreparedStatement delete = c.prepareStatement(DELETE_PENDING)) {
                Array array = c.createArrayOf("bigint", ids);
                delete.setArray(1, array);
                delete.executeUpdate();
            }
            try (PreparedStatement advance = c.prepareStatement(ADVANCE_HEAD)) {
                advance.setLong(1, seq);
                advance.setString(2, hash);
                advance.executeUpdate();
            }
            return batch.size();
        }
    }
}
