package dev.quantgate.registry;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Observes the mirror's typed changes as the planner and the gate will: in its transaction, and after commit. */
@ApplicationScoped
public class RecordedChanges {

    private final List<RegistryChange> inTransaction = new CopyOnWriteArrayList<>();
    private final List<RegistryChange> committed = new CopyOnWriteArrayList<>();

    void onChange(@Observes RegistryChange change) {
        inTransaction.add(change);
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) RegistryChange change) {
        committed.add(change);
    }

    /** Changes about one model, published inside the mirror's transaction, oldest first. */
    public List<RegistryChange> of(String model) {
        return inTransaction.stream().filter(c -> c.model().equals(model)).toList();
    }

    /** Changes about one model that AFTER_SUCCESS observers saw, oldest first. */
    public List<RegistryChange> committed(String model) {
        return committed.stream().filter(c -> c.model().equals(model)).toList();
    }
}
