package dev.quantgate.registry;

import dev.quantgate.registry.RegistryChange.AliasDeleted;
import dev.quantgate.registry.RegistryChange.AliasMoved;
import dev.quantgate.registry.RegistryChange.AliasSet;
import dev.quantgate.registry.RegistryChange.StageChanged;
import dev.quantgate.registry.RegistryChange.TagDeleted;
import dev.quantgate.registry.RegistryChange.TagSet;
import dev.quantgate.registry.RegistryChange.VersionDeleted;
import dev.quantgate.registry.RegistryChange.VersionReady;
import dev.quantgate.registry.RegistryChange.VersionRegistered;
import dev.quantgate.registry.RegistryChange.VersionUpdated;
import dev.quantgate.registry.RegistryEvent.Kind;
import dev.quantgate.registry.source.SourceVersion;

import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The mirror's version- and alias-level writes, inside the mirror's transaction with the model's row
 * locked. Writes only: what MLflow said was read before, in {@link RegistryMirror#prepare}.
 */
final class VersionMirror {

    /** Kinds that bring a version into the mirror when it is not there yet. */
    static final Set<Kind> CREATE_VERSION = EnumSet.of(Kind.VERSION_CREATED, Kind.VERSION_TAG_SET,
            Kind.VERSION_TAG_DELETED, Kind.ALIAS_SET, Kind.STAGE_CHANGED);
    private static final String NO_STAGE = "None";
    private static final String READY = "READY";

    void apply(RegistryModelEntity model, MirrorPrepared p, MirrorChanges changes, Instant now) {
        RegistryEvent event = p.event();
        switch (event.kind()) {
            case VERSION_CREATED -> merge(model, ensure(model, p, changes, now), event, changes, now);
            case VERSION_TAG_SET -> setTag(model, ensure(model, p, changes, now), required(event.key(), "key", event),
                    required(event.value(), "value", event), event, changes, now);
            case VERSION_TAG_DELETED -> deleteTag(model, ensure(model, p, changes, now),
                    required(event.key(), "key", event), event, changes, now);
            case ALIAS_SET -> setAlias(model, required(event.key(), "key", event),
                    ensure(model, p, changes, now).version, event, changes);
            case ALIAS_DELETED -> deleteAlias(model, required(event.key(), "key", event), event, changes);
            case STAGE_CHANGED -> setStage(model, ensure(model, p, changes, now),
                    required(event.value(), "value", event), event, changes, now);
            case VERSION_UPDATED -> existing(model, event).ifPresent(v -> update(model, v, event, changes, now));
            case VERSION_DELETED -> existing(model, event).ifPresent(v -> delete(model, v, event, changes, now));
            default -> throw new IllegalStateException("Not a version or alias event: " + event.kind());
        }
    }

    private static java.util.Optional<RegistryVersionEntity> existing(RegistryModelEntity model, RegistryEvent event) {
        return RegistryVersionEntity.findVersion(model.id, parseVersion(required(event.version(), "version", event)));
    }

    /** The version row, created from what MLflow said of it (or, without that, from what the event carries). */
    private RegistryVersionEntity ensure(RegistryModelEntity model, MirrorPrepared p, MirrorChanges changes,
                                         Instant now) {
        RegistryEvent event = p.event();
        int number = parseVersion(required(event.version(), "version", event));
        RegistryVersionEntity existing = RegistryVersionEntity.findVersion(model.id, number).orElse(null);
        if (existing != null) {
            return existing;
        }
        RegistryVersionEntity row = new RegistryVersionEntity();
        row.modelId = model.id;
        row.version = number;
        row.mirroredAt = now;
        row.updatedAt = now;
        Map<String, String> tags;
        SourceVersion fetched = p.version();
        RegistryEvent.Carried carried = event.carried();
        boolean creation = event.kind() == Kind.VERSION_CREATED;
        if (fetched != null) {
            row.source = fetched.source();
            row.runId = RegistryMirror.blankToNull(fetched.runId());
            row.status = fetched.status();
            row.description = fetched.description();
            row.createdAt = fetched.createdAt();
            row.currentStage = fetched.stage() == null ? NO_STAGE : fetched.stage();
            tags = fetched.tags();
        } else {
            row.source = carried.source();
            row.runId = RegistryMirror.blankToNull(carried.runId());
            row.status = carried.status();
            row.createdAt = carried.createdAt();
            row.currentStage = carried.stage() != null ? carried.stage() : NO_STAGE;
            row.description = creation ? event.value() : null;
            tags = creation ? carried.tags() : Map.of();
            if (p.versionMissing()) {
                row.deletedAt = now;
            }
        }
        row.persist();
        Map<String, String> sorted = new TreeMap<>(tags);
        sorted.forEach((key, value) -> newTag(row.id, key, value, now));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("source", row.source);
        payload.put("runId", row.runId);
        payload.put("status", row.status);
        payload.put("stage", row.currentStage);
        payload.put("createdAt", row.createdAt == null ? null : row.createdAt.toString());
        payload.put("tags", sorted);
        if (row.deletedAt != null) {
            payload.put("goneFromMlflow", true);
        }
        if (fetched == null && !carried.complete() && !p.versionMissing()) {
            payload.put("completedFromMlflow", false);
        }
        String version = Integer.toString(number);
        changes.record("registry.version.created", versionSubject(model, number), payload,
                new VersionRegistered(model.name, version, row.source, row.runId, row.status, sorted,
                        changes.typedOrigin, event.occurredAt()));
        if (READY.equals(row.status) && row.deletedAt == null) {
            changes.publish(new VersionReady(model.name, version, changes.typedOrigin, event.occurredAt()));
        }
        return row;
    }

    /**
     * A creation event for a version already mirrored (created implicitly by an alias or tag event that
     * arrived first): fills in the source, run, description and tags it carries that the mirror lacks.
     */
    private void merge(RegistryModelEntity model, RegistryVersionEntity row, RegistryEvent event,
                       MirrorChanges changes, Instant now) {
        RegistryEvent.Carried carried = event.carried();
        Map<String, Object> filled = new LinkedHashMap<>();
        if (row.source == null && carried.source() != null) {
            row.source = carried.source();
            filled.put("source", row.source);
        }
        if (row.runId == null && RegistryMirror.blankToNull(carried.runId()) != null) {
            row.runId = carried.runId();
            filled.put("runId", row.runId);
        }
        if (RegistryMirror.blankToNull(row.description) == null && RegistryMirror.blankToNull(event.value()) != null) {
            row.description = event.value();
            filled.put("description", row.description);
        }
        if (!filled.isEmpty()) {
            row.updatedAt = now;
            changes.record("registry.version.updated", versionSubject(model, row.version), filled, null);
        }
        for (Map.Entry<String, String> tag : new TreeMap<>(carried.tags()).entrySet()) {
            if (RegistryVersionTagEntity.findTag(row.id, tag.getKey()).isEmpty()) {
                setTag(model, row, tag.getKey(), tag.getValue(), event, changes, now);
            }
        }
    }

    /** Status and description as MLflow reports them now (registration finishing, model-version updates). */
    private void update(RegistryModelEntity model, RegistryVersionEntity row, RegistryEvent event,
                        MirrorChanges changes, Instant now) {
        String status = event.carried().status();
        String previousStatus = row.status;
        Map<String, Object> payload = new LinkedHashMap<>();
        if (status != null && !status.equals(row.status)) {
            payload.put("status", status);
            payload.put("previousStatus", row.status);
            row.status = status;
        }
        if (!Objects.equals(RegistryMirror.blankToNull(event.value()), RegistryMirror.blankToNull(row.description))) {
            payload.put("description", event.value());
            row.description = event.value();
        }
        if (payload.isEmpty()) {
            return;
        }
        row.updatedAt = now;
        String version = Integer.toString(row.version);
        changes.record("registry.version.updated", versionSubject(model, row.version), payload,
                new VersionUpdated(model.name, version, row.status, previousStatus, row.description,
                        changes.typedOrigin, event.occurredAt()));
        if (READY.equals(row.status) && !READY.equals(previousStatus) && row.deletedAt == null) {
            changes.publish(new VersionReady(model.name, version, changes.typedOrigin, event.occurredAt()));
        }
    }

    private void delete(RegistryModelEntity model, RegistryVersionEntity row, RegistryEvent event,
                        MirrorChanges changes, Instant now) {
        if (row.deletedAt != null) {
            return;
        }
        row.deletedAt = now;
        row.updatedAt = now;
        changes.record("registry.version.deleted", versionSubject(model, row.version), Map.of(),
                new VersionDeleted(model.name, Integer.toString(row.version), changes.typedOrigin, event.occurredAt()));
    }

    private void setTag(RegistryModelEntity model, RegistryVersionEntity version, String key, String value,
                        RegistryEvent event, MirrorChanges changes, Instant now) {
        RegistryVersionTagEntity tag = RegistryVersionTagEntity.findTag(version.id, key).orElse(null);
        if (tag != null && tag.value.equals(value)) {
            return;
        }
        String previous = tag == null ? null : tag.value;
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("key", key);
        payload.put("value", value);
        payload.put("previous", previous);
        if (tag == null) {
            newTag(version.id, key, value, now);
        } else {
            tag.value = value;
            tag.updatedAt = now;
        }
        version.updatedAt = now;
        changes.record("registry.version.tag.set", versionSubject(model, version.version), payload,
                new TagSet(model.name, Integer.toString(version.version), key, value, previous, changes.typedOrigin,
                        event.occurredAt()));
    }

    private void deleteTag(RegistryModelEntity model, RegistryVersionEntity version, String key, RegistryEvent event,
                           MirrorChanges changes, Instant now) {
        RegistryVersionTagEntity tag = RegistryVersionTagEntity.findTag(version.id, key).orElse(null);
        if (tag == null) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("key", key);
        payload.put("previous", tag.value);
        tag.delete();
        version.updatedAt = now;
        changes.record("registry.version.tag.deleted", versionSubject(model, version.version), payload,
                new TagDeleted(model.name, Integer.toString(version.version), key, tag.value, changes.typedOrigin,
                        event.occurredAt()));
    }

    private void setAlias(RegistryModelEntity model, String alias, int version, RegistryEvent event,
                          MirrorChanges changes) {
        Map<String, Object> change = AliasAssignments.set(model.id, alias, version, event.occurredAt(), changes.origin);
        if (change == null) {
            return;
        }
        String subject = aliasSubject(model, alias);
        if (change.containsKey("redated")) {
            // the poller saw this move first; the webhook's exact time now dates the interval (no new change)
            changes.record("registry.alias.redated", subject, change, null);
            return;
        }
        Instant at = Instant.parse((String) change.get("at"));
        Object previous = change.get("previousVersion");
        if (previous == null) {
            changes.record("registry.alias.set", subject, change,
                    new AliasSet(model.name, alias, Integer.toString(version), changes.typedOrigin, at));
        } else {
            changes.record("registry.alias.moved", subject, change, new AliasMoved(model.name, alias,
                    Integer.toString(version), (String) previous, changes.typedOrigin, at));
        }
    }

    void deleteAlias(RegistryModelEntity model, String alias, RegistryEvent event, MirrorChanges changes) {
        Map<String, Object> change = AliasAssignments.delete(model.id, alias, event.occurredAt(), changes.origin);
        if (change != null && change.containsKey("redated")) {
            changes.record("registry.alias.redated", aliasSubject(model, alias), change, null);
        } else if (change != null) {
            changes.record("registry.alias.deleted", aliasSubject(model, alias), change,
                    new AliasDeleted(model.name, alias, (String) change.get("previousVersion"), changes.typedOrigin,
                            Instant.parse((String) change.get("at"))));
        }
    }

    private void setStage(RegistryModelEntity model, RegistryVersionEntity version, String stage, RegistryEvent event,
                          MirrorChanges changes, Instant now) {
        if (stage.equals(version.currentStage)) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("stage", stage);
        payload.put("previousStage", version.currentStage);
        String previous = version.currentStage;
        version.currentStage = stage;
        version.updatedAt = now;
        changes.record("registry.version.stage.changed", versionSubject(model, version.version), payload,
                new StageChanged(model.name, Integer.toString(version.version), stage, previous, changes.typedOrigin,
                        event.occurredAt()));
    }

    private static void newTag(long versionId, String key, String value, Instant now) {
        RegistryVersionTagEntity t = new RegistryVersionTagEntity();
        t.versionId = versionId;
        t.key = key;
        t.value = value;
        t.updatedAt = now;
        t.persist();
    }

    /** The event's version number, or {@code null} when it names none or not a valid one (apply then refuses it). */
    static Integer versionNumber(RegistryEvent event) {
        if (event.version() == null) {
            return null;
        }
        try {
            return parseVersion(event.version());
        } catch (IllegalArgumentException e) {
            return null;
        }
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

    static String required(String value, String field, RegistryEvent event) {
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
}
