package dev.quantgate.registry;

import dev.quantgate.audit.AuditLog;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stand-in {@link RegistryEventSink} until the registry mirror is merged: records each event in
 * the audit trail (in the caller's transaction) and reports one change. Replaced by any other sink bean.
 */
@DefaultBean
@ApplicationScoped
public class AuditingRegistryEventSink implements RegistryEventSink {

    private final AuditLog auditLog;

    public AuditingRegistryEventSink(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @Override
    public int apply(RegistryEvent event) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", event.kind().name());
        payload.put("model", event.model());
        payload.put("version", event.version());
        payload.put("key", event.key());
        payload.put("value", event.value());
        payload.put("occurred_at", event.occurredAt().toString());
        payload.put("origin", event.origin());
        String subject = "model:" + event.model() + (event.version() == null ? "" : "/version:" + event.version());
        auditLog.append("mlflow", "registry.event", subject, payload);
        return 1;
    }
}
