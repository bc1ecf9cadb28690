package dev.quantgate.mlflow.outbox;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test observer: what each event saw of its transaction and of its own outbox row, read in that transaction. */
@ApplicationScoped
public class ObservedWrites {

    /** One observed event: the transaction was active, and the row's status as that transaction sees it. */
    public record Seen(Object event, long outboxId, boolean inTransaction, String rowStatus) {
    }

    private final TransactionSynchronizationRegistry transactions;
    private final AgroalDataSource dataSource;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Set<Long> failFor = ConcurrentHashMap.newKeySet();

    public ObservedWrites(TransactionSynchronizationRegistry transactions, AgroalDataSource dataSource) {
        this.transactions = transactions;
        this.dataSource = dataSource;
    }

    void confirmed(@Observes WriteConfirmed event) {
        see(event, event.outboxId());
        if (failFor.remove(event.outboxId())) {
            throw new IllegalStateException("the observer's own change failed");
        }
    }

    void parked(@Observes WriteParked event) {
        see(event, event.outboxId());
    }

    /** The next confirmation of this write fails in the observer. */
    public void failOnce(long outboxId) {
        failFor.add(outboxId);
    }

    public List<Seen> of(long outboxId) {
        return seen.stream().filter(s -> s.outboxId() == outboxId).toList();
    }

    private void see(Object event, long id) {
        boolean active = transactions.getTransactionStatus() == Status.STATUS_ACTIVE;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status FROM mlflow_outbox WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                seen.add(new Seen(event, id, active, rs.next() ? rs.getString(1) : null));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
