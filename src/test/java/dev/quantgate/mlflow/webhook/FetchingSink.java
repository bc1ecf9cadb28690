package dev.quantgate.mlflow.webhook;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.mlflow.client.MlflowModelVersion;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEventSink;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A two-phase sink shaped like the registry mirror's: {@link #prepare} reads the version from MLflow
 * (the fake, through the real client), {@link #apply} writes to the database (an audit event) in the
 * caller's transaction. Records when each phase ran, per model.
 */
@Alternative
@ApplicationScoped
public class FetchingSink implements RegistryEventSink {

    private record Fetched(RegistryEvent event, MlflowModelVersion version) implements Prepared {
    }

    private final MlflowRegistryClient mlflow;
    private final AuditLog audit;
    private final Map<String, Instant> preparing = new ConcurrentHashMap<>();
    private final List<String> applied = new CopyOnWriteArrayList<>();

    public FetchingSink(MlflowRegistryClient mlflow, AuditLog audit) {
        this.mlflow = mlflow;
        this.audit = audit;
    }

    @Override
    public Prepared prepare(RegistryEvent event) {
        preparing.putIfAbsent(event.model(), Instant.now());
        return new Fetched(event, mlflow.getModelVersion(event.model(), event.version()));
    }

    @Override
    public int apply(Prepared prepared) {
        Fetched fetched = (Fetched) prepared;
        audit.append("test", "test.fetched", "model:" + fetched.event().model(),
                Map.of("source", String.valueOf(fetched.version().source())));
        applied.add(fetched.event().model());
        return 1;
    }

    @Override
    public int apply(RegistryEvent event) {
        return apply(prepare(event));
    }

    boolean preparing(String model) {
        return preparing.containsKey(model);
    }

    boolean applied(String model) {
        return applied.contains(model);
    }

    long appliedCount(String model) {
        return applied.stream().filter(model::equals).count();
    }
}
