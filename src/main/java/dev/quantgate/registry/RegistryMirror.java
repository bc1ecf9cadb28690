package dev.quantgate.registry;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.mlflow.client.MlflowApiException;
import dev.quantgate.mlflow.client.MlflowModel;
import dev.quantgate.mlflow.client.MlflowModelVersion;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The registry mirror's write side: applies {@link RegistryEvent}s from the webhook inbox and the
 * poller. Idempotent (an event already reflected changes nothing and audits nothing), serialised per
 * model on the model's row, and completed from MLflow when an event names a model or version the
 * mirror has not seen (a webhook carries only part of the state). Every change appends an audit event.
 *
 * <p>MLflow unreachable: throws {@link dev.quantgate.mlflow.client.MlflowException} (retryable), the
 * caller retries. MLflow says the model or version is gone: mirrored from the event, marked deleted.
 * No MLflow configured at all: mirrored from what the event carries (audited as not completed).
 * A malformed event (no version, non-numeric version, ...): {@link IllegalArgumentException}, permanent.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class RegistryMirror implements RegistryEventSink {

    private static final Logger LOG = Logger.getLogger(RegistryMirror.class);
    private static final String NO_STAGE = "None";

    private final MlflowRegistryClient mlflow;
    private final AuditLog audit;
    private volatile boolean warnedNotConfigured;

    public RegistryMirror(MlflowRegistryClient mlflow, AuditLog audit) {
        this.mlflow = mlflow;
        this.audit = audit;
    }

    /**
     * Runs the mirror's queries once at start, so that the first delivery after a (re)start is not
     * also the one that pays for preparing them.
     */
    void warmUp(@Observes StartupEvent start) {
        RegistryModelEntity.findByName("");
        RegistryVersionEntity.findVersion(0L, 0);
        RegistryVersionTagEntity.findTag(0L, "");
        RegistryAliasEntity.findAlias(0L, "");
        RegistryAliasHistoryEntity.findOpen(0L, "");
    }

    @Override
    public int apply(RegistryEvent event) {
        Changes changes = new Changes(event.origin());
        RegistryModelEntity model = lockModel(event.model(), event, changes);
        switch (event.kind()) {
            case MODEL_CREATED -> {
                // the model row is all there is to it
            }
            case VERSION_CREATED -> ensureVersion(model, event.version(), event, changes);
            case VERSION_TAG_SET -> setTag(model, ensureVersion(model, event.version(), event, changes),
                    required(event.key(), "key", event), required(event.value(), "value", event), changes);
            case VERSION_TAG_DELETED -> deleteTag(model, ensureVersion(model, event.version(), event, changes),
                    required(event.key(), "key", event), changes);
            case ALIAS_SET -> {
                RegistryVersionEntity version = ensureVersion(model, event.version(), event, changes);
                setAlias(model, required(event.key(), "key", event), version.version, event.occurredAt(), changes);
            }
            case ALIAS_DELETED -> deleteAlias(model, required(event.key(), "key", event), event.occurredAt(), changes);
            case STAGE_CHANGED -> setStage(model, ensureVersion(model, event.version(), event, changes),
                    required(event.value(), "value", event), changes);
        }
        if (changes.count > 0) {
            model.updatedAt = now();
        }
        return changes.count;
    }

    /** Marks a version that MLflow no longer has as deleted (the poller notices; MLflow sends no webhook). */
    public int markVersionDeleted(String modelName, String version, String origin) {
        Changes changes = new Changes(origin);
        RegistryModelEntity model = RegistryModelEntity.lockByName(modelName).orElse(null);
        if (model == null) {
            return 0;
        }
        RegistryVersionEntity row = RegistryVersionEntity.findVersion(model.id, parseVersion(version)).orElse(null);
        if (row == null || row.deletedAt != null) {
            return 0;
        }
        row.deletedAt = now();
        row.updatedAt = row.deletedAt;
        changes.record("registry.version.deleted", versionSubject(model, row.version), Map.of());
        model.updatedAt = row.deletedAt;
        return changes.count;
    }

    /**
     * Brings a mirrored version's status and description in line with MLflow (model-version updates
     * and registration finishing raise no webhook; the poller calls this).
     */
    public int refreshVersion(MlflowModelVersion current, String origin) {
        Changes changes = new Changes(origin);
        RegistryModelEntity model = RegistryModelEntity.lockByName(current.name()).orElse(null);
        if (model == null) {
            return 0;
        }
        RegistryVersionEntity row = RegistryVersionEntity.findVersion(model.id, parseVersion(current.version()))
                .orElse(null);
        if (row == null) {
            return 0;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        if (current.status() != null && !current.status().equals(row.status)) {
            payload.put("status", current.status());
            payload.put("previousStatus", row.status);
            row.status = current.status();
        }
        if (!Objects.equals(blankToNull(current.description()), blankToNull(row.description))) {
            payload.put("description", current.description());
            row.description = current.description();
        }
        if (!payload.isEmpty()) {
            row.updatedAt = now();
            model.updatedAt = row.updatedAt;
            changes.record("registry.version.updated", versionSubject(model, row.version), payload);
        }
        return changes.count;
    }

    private RegistryModelEntity lockModel(String name, RegistryEvent event, Changes changes) {
        if (RegistryModelEntity.findByName(name).isEmpty()) {
            createModel(name, event, changes);
        }
        return RegistryModelEntity.lockByName(name)
                .orElseThrow(() -> new IllegalStateException("Registered model " + name + " vanished from the mirror"));
    }

    private void createModel(String name, RegistryEvent event, Changes changes) {
        String description = event.kind() == RegistryEvent.Kind.MODEL_CREATED ? event.value() : null;
        Instant createdAt = null;
        boolean goneFromMlflow = false;
        if (mlflow.configured()) {
            try {
                MlflowModel fetched = mlflow.getRegisteredModel(name);
                description = fetched.description();
                createdAt = millis(fetched.creationTimestamp());
            } catch (MlflowApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
                goneFromMlflow = true;
                LOG.infof("Registered model %s is no longer in MLflow; mirroring it from the event (%s)", name,
                        event.origin());
            }
        } else {
            warnNotConfigured();
        }
        Instant now = now();
        int inserted = RegistryModelEntity.getEntityManager().createNativeQuery(
                        "INSERT INTO registry_model (name, description, created_at, mirrored_at, updated_at) "
                                + "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO NOTHING")
                .setParameter(1, name)
                .setParameter(2, description)
                .setParameter(3, createdAt == null ? null : OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC))
                .setParameter(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .executeUpdate();
        if (inserted == 1) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("description", description);
            payload.put("createdAt", createdAt == null ? null : createdAt.toString());
            if (goneFromMlflow) {
                payload.put("goneFromMlflow", true);
            }
            if (!mlflow.configured()) {
                payload.put("completedFromMlflow", false);
            }
            changes.record("registry.model.created", "model:" + name, payload);
        }
    }

    private RegistryVersionEntity ensureVersion(RegistryModelEntity model, String versionText, RegistryEvent event,
                                                Changes changes) {
        int number = parseVersion(required(versionText, "version", event));
        RegistryVersionEntity existing = RegistryVersionEntity.findVersion(model.id, number).orElse(null);
        if (existing != null) {
            return existing;
        }
        RegistryVersionEntity row = new RegistryVersionEntity();
        row.modelId = model.id;
        row.version = number;
        row.mirroredAt = now();
        row.updatedAt = row.mirroredAt;
        Map<String, String> tags = Map.of();
        if (mlflow.configured()) {
            tags = completeFromMlflow(row, model.name, event);
        } else {
            // No MLflow to read: mirror what the event says.
            warnNotConfigured();
            row.currentStage = NO_STAGE;
            if (event.kind() == RegistryEvent.Kind.VERSION_CREATED) {
                row.description = event.value();
            }
        }
        row.persist();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            RegistryVersionTagEntity t = new RegistryVersionTagEntity();
            t.versionId = row.id;
            t.key = tag.getKey();
            t.value = tag.getValue();
            t.updatedAt = row.mirroredAt;
            t.persist();
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("source", row.source);
        payload.put("runId", row.runId);
        payload.put("status", row.status);
        payload.put("stage", row.currentStage);
        payload.put("createdAt", row.createdAt == null ? null : row.createdAt.toString());
        payload.put("tags", new LinkedHashMap<>(tags));
        if (row.deletedAt != null) {
            payload.put("goneFromMlflow", true);
        }
        if (!mlflow.configured()) {
            payload.put("completedFromMlflow", false);
        }
        changes.record("registry.version.created", versionSubject(model, number), payload);
        return row;
    }

    /** Fills a new version row from MLflow; a version MLflow no longer has is mirrored as deleted. */
    private Map<String, String> completeFromMlflow(RegistryVersionEntity row, String modelName, RegistryEvent event) {
        try {
            MlflowModelVersion fetched = mlflow.getModelVersion(modelName, Integer.toString(row.version));
            row.source = fetched.source();
            row.runId = blankToNull(fetched.runId());
            row.status = fetched.status();
            row.description = fetched.description();
            row.createdAt = millis(fetched.creationTimestamp());
            row.currentStage = fetched.currentStage() == null ? NO_STAGE : fetched.currentStage();
            return fetched.tags();
        } catch (MlflowApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            LOG.infof("Model version %s v%d is no longer in MLflow; mirroring it as deleted (%s)",
                    modelName, row.version, event.origin());
            row.currentStage = NO_STAGE;
            row.deletedAt = row.mirroredAt;
            if (event.kind() == RegistryEvent.Kind.VERSION_CREATED) {
                row.description = event.value();
            }
            return Map.of();
        }
    }

    private void setTag(RegistryModelEntity model, RegistryVersionEntity version, String key, String value,
                        Changes changes) {
        RegistryVersionTagEntity tag = RegistryVersionTagEntity.findTag(version.id, key).orElse(null);
        if (tag != null && tag.value.equals(value)) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("key", key);
        payload.put("value", value);
        payload.put("previous", tag == null ? null : tag.value);
        if (tag == null) {
            tag = new RegistryVersionTagEntity();
            tag.versionId = version.id;
            tag.key = key;
        }
        tag.value = value;
        tag.updatedAt = now();
        tag.persist();
        version.updatedAt = tag.updatedAt;
        changes.record("registry.version.tag.set", versionSubject(model, version.version), payload);
    }

    private void deleteTag(RegistryModelEntity model, RegistryVersionEntity version, String key, Changes changes) {
        RegistryVersionTagEntity tag = RegistryVersionTagEntity.findTag(version.id, key).orElse(null);
        if (tag == null) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("key", key);
        payload.put("previous", tag.value);
        tag.delete();
        version.updatedAt = now();
        changes.record("registry.version.tag.deleted", versionSubject(model, version.version), payload);
    }

    private void setAlias(RegistryModelEntity model, String alias, int version, Instant at, Changes changes) {
        Map<String, Object> change = AliasAssignments.set(model.id, alias, version, at, changes.origin);
        if (change != null) {
            changes.record(change.containsKey("previousVersion") ? "registry.alias.moved" : "registry.alias.set",
                    aliasSubject(model, alias), change);
        }
    }

    private void deleteAlias(RegistryModelEntity model, String alias, Instant at, Changes changes) {
        Map<String, Object> change = AliasAssignments.delete(model.id, alias, at, changes.origin);
        if (change != null) {
            changes.record("registry.alias.deleted", aliasSubject(model, alias), change);
        }
    }

    private void setStage(RegistryModelEntity model, RegistryVersionEntity version, String stage, Changes changes) {
        if (stage.equals(version.currentStage)) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("stage", stage);
        payload.put("previousStage", version.currentStage);
        version.currentStage = stage;
        version.updatedAt = now();
        changes.record("registry.version.stage.changed", versionSubject(model, version.version), payload);
    }

    private void warnNotConfigured() {
        if (!warnedNotConfigured) {
            warnedNotConfigured = true;
            LOG.warn("No MLflow URL is configured (QUANTGATE_MLFLOW_URL): registry events are mirrored from what they "
                    + "carry, without the status, creation time, stage and tags only MLflow can tell");
        }
    }

    /** Counts the changes of one call and audits each, with the actor and origin of the event. */
    private final class Changes {
        final String origin;
        int count;

        Changes(String origin) {
            this.origin = Objects.requireNonNull(origin, "origin");
        }

        void record(String action, String subject, Map<String, Object> payload) {
            Map<String, Object> withOrigin = new LinkedHashMap<>(payload);
            withOrigin.put("origin", origin);
            audit.append(actor(origin), action, subject, withOrigin);
            count++;
        }
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

    static int parseVersion(String version) {
        try {
            int n = Integer.parseInt(version.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Model version must be a positive whole number, was '" + version + "'");
        }
    }

    private static String required(String value, String field, RegistryEvent event) {
        if (value == null) {
            throw new IllegalArgumentException("Registry event " + event.kind() + " for model " + event.model()
                    + " lacks its " + field + " (" + event.origin() + ")");
        }
        return value;
    }

    private static String versionSubject(RegistryModelEntity model, int version) {
        return "model:" + model.name + "/version:" + version;
    }

    private static String aliasSubject(RegistryModelEntity model, String alias) {
        return "model:" + model.name + "/alias:" + alias;
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Instant millis(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
