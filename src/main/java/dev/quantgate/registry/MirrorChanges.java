package dev.quantgate.registry;

import dev.quantgate.audit.AuditLog;
import jakarta.enterprise.event.Event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The changes one mirror call makes: each is audited (with the actor and origin of the event) and,
 * where it is one the planner or the gate may react to, published as a {@link RegistryChange}.
 */
final class MirrorChanges {

    private final AuditLog audit;
    private final Event<RegistryChange> published;
    final String origin;
    final RegistryChange.Origin typedOrigin;
    int count;

    MirrorChanges(AuditLog audit, Event<RegistryChange> published, String origin) {
        this.audit = audit;
        this.published = published;
        this.origin = Objects.requireNonNull(origin, "origin");
        this.typedOrigin = RegistryChange.Origin.of(origin);
    }

    /** Audits a change and publishes its typed form ({@code change} null: nothing to publish). */
    void record(String action, String subject, Map<String, Object> payload, RegistryChange change) {
        Map<String, Object> withOrigin = new LinkedHashMap<>(payload);
        withOrigin.put("origin", origin);
        audit.append(actor(origin), action, subject, withOrigin);
        count++;
        if (change != null) {
            published.fire(change);
        }
    }

    /** Publishes a change that is part of one already recorded (e.g. a version ready at registration). */
    void publish(RegistryChange change) {
        published.fire(change);
    }

    static String actor(String origin) {
        if (origin.startsWith("webhook")) {
            return "mlflow-webhook";
        }
        if (origin.startsWith("poller")) {
            return "mlflow-poller";
        }
        return origin;
    }
}
