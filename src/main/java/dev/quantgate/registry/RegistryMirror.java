package dev.quantgate.registry;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.registry.RegistryChange.ModelDeleted;
import dev.quantgate.registry.RegistryChange.ModelDescriptionChanged;
import dev.quantgate.registry.RegistryChange.ModelRegistered;
import dev.quantgate.registry.RegistryChange.ModelTagDeleted;
import dev.quantgate.registry.RegistryChange.ModelTagSet;
import dev.quantgate.registry.RegistryEvent.Kind;
import dev.quantgate.registry.source.RegistrySource;
import dev.quantgate.registry.source.SourceModel;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry mirror's write side: applies {@link RegistryEvent}s from the webhook inbox and the
 * poller, in two phases. {@link #prepare} (no transaction) reads MLflow, through {@link RegistrySource},
 * for what an event does not carry and the mirror does not have yet; {@link #apply(Prepared)} (the
 * caller's transaction) only writes, never calling MLflow. Idempotent (an event already reflected
 * changes nothing, audits nothing and publishes nothing), serialised per model on the model's row.
 * Every change appends an audit event and publishes a {@link RegistryChange}.
 *
 * <p>MLflow unreachable: {@code prepare} throws (transient), the caller retries. MLflow says the model
 * does not exist (MLflow's "test webhook" example delivery): not mirrored, {@link Prepared#ignoredReason()}
 * says why. MLflow says the version is gone: mirrored from the event, marked deleted. No MLflow configured:
 * mirrored from everything the event carries (audited as not completed). Creation events are merges: one
 * arriving after the model or version was created implicitly fills in what it carries.
 * A malformed event (no version, non-numeric version, ...): {@link IllegalArgumentException}, permanent.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class RegistryMirror implements RegistryEventSink {

    private static final Logger LOG = Logger.getLogger(RegistryMirror.class);
    /** Kinds that bring a model into the mirror when it is not there yet. */
    private static final Set<Kind> CREATE_MODEL = EnumSet.complementOf(EnumSet.of(Kind.MODEL_DELETED,
            Kind.VERSION_DELETED, Kind.VERSION_UPDATED));

    private final RegistrySource source;
    private final AuditLog audit;
    private final Event<RegistryChange> published;
    private final Clock clock;
    private final VersionMirror versions;
    private volatile boolean warnedNotConfigured;

    public RegistryMirror(RegistrySource source, AuditLog audit, Event<RegistryChange> published, Clock clock) {
        this.source = source;
        this.audit = audit;
        this.published = published;
        this.clock = clock;
        this.versions = new VersionMirror();
    }

    /**
     * Runs the mirror's queries once at start, so that the first delivery after a (re)start is not
     * also the one that pays for preparing them.
     */
    void warmUp(@Observes StartupEvent start) {
        RegistryModelEntity.findByName("");
        RegistryModelTagEntity.findTag(0L, "");
        RegistryVersionEntity.findVersion(0L, 0);
        RegistryVersionTagEntity.findTag(0L, "");
        RegistryAliasEntity.findAlias(0L, "");
        RegistryAliasHistoryEntity.findOpen(0L, "");
    }

    /** Phase one: reads what the mirror has (a short read-only transaction), then MLflow for what it lacks. */
    @Override
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public Prepared prepare(RegistryEvent event) {
        if (!asksSource(event)) {
            return MirrorPrepared.nothing(event);
        }
        Known known = QuarkusTransaction.requiringNew().call(() -> known(event));
        return fetch(event, known);
    }

    /** Phase two: writes only; what phase one did not fetch is taken from the event. */
    @Override
    public int apply(Prepared prepared) {
        MirrorPrepared p = prepared instanceof MirrorPrepared m ? m : MirrorPrepared.nothing(prepared.event());
        return write(p);
    }

    /**
     * Both phases in the caller's transaction, for callers that do not prepare: reads MLflow while the
     * transaction is open, so prefer {@link #prepare} then {@link #apply(Prepared)}.
     */
    @Override
    public int apply(RegistryEvent event) {
        return write(asksSource(event) ? fetch(event, known(event)) : MirrorPrepared.nothing(event));
    }

    private boolean asksSource(RegistryEvent event) {
        if (event.carried().complete()) {
            return false;
        }
        if (!source.configured()) {
            warnNotConfigured();
            return false;
        }
        return true;
    }

    private record Known(boolean model, boolean version) {
    }

    private static Known known(RegistryEvent event) {
        RegistryModelEntity model = RegistryModelEntity.findByName(event.model()).orElse(null);
        if (model == null) {
            return new Known(false, false);
        }
        Integer number = VersionMirror.versionNumber(event);
        return new Known(true, number != null && RegistryVersionEntity.findVersion(model.id, number).isPresent());
    }

    private MirrorPrepared fetch(RegistryEvent event, Known known) {
        SourceModel model = null;
        if (!known.model() && CREATE_MODEL.contains(event.kind())) {
            Optional<SourceModel> fetched = source.model(event.model());
            if (fetched.isEmpty()) {
                return new MirrorPrepared(event, null, null, true, false);
            }
            model = fetched.get();
        }
        Integer number = VersionMirror.versionNumber(event);
        if (number != null && !known.version() && VersionMirror.CREATE_VERSION.contains(event.kind())) {
            var version = source.version(event.model(), Integer.toString(number));
            return new MirrorPrepared(event, model, version.orElse(null), false, version.isEmpty());
        }
        return new MirrorPrepared(event, model, null, false, false);
    }

    private int write(MirrorPrepared p) {
        RegistryEvent event = p.event();
        MirrorChanges changes = new MirrorChanges(audit, published, event.origin());
        Instant now = now();
        RegistryModelEntity model = RegistryModelEntity.lockByName(event.model()).orElse(null);
        if (model == null) {
            if (!CREATE_MODEL.contains(event.kind())) {
                return 0;
            }
            if (p.modelMissing()) {
                LOG.infof("Not mirroring registered model %s: %s (%s)", event.model(), p.ignoredReason().orElse(""),
                        event.origin());
                return 0;
            }
            createModel(event, p.model(), changes, now);
            model = RegistryModelEntity.lockByName(event.model()).orElseThrow(() -> new IllegalStateException(
                    "Registered model " + event.model() + " vanished from the mirror"));
        }
        switch (event.kind()) {
            case MODEL_CREATED -> mergeModel(model, event, changes, now);
            case MODEL_UPDATED -> setDescription(model, event.value(), event, changes);
            case MODEL_TAG_SET -> setModelTag(model, VersionMirror.required(event.key(), "key", event),
                    VersionMirror.required(event.value(), "value", event), event, changes, now);
            case MODEL_TAG_DELETED -> deleteModelTag(model, VersionMirror.required(event.key(), "key", event), event,
                    changes);
            case MODEL_DELETED -> deleteModel(model, event, changes, now);
            default -> versions.apply(model, p, changes, now);
        }
        if (changes.count > 0) {
            model.updatedAt = now;
        }
        return changes.count;
    }

    private void createModel(RegistryEvent event, SourceModel fetched, MirrorChanges changes, Instant now) {
        boolean creation = event.kind() == Kind.MODEL_CREATED;
        String description = fetched != null ? fetched.description()
                : creation || event.kind() == Kind.MODEL_UPDATED ? event.value() : null;
        Instant createdAt = fetched != null ? fetched.createdAt() : creation ? event.carried().createdAt() : null;
        Map<String, String> tags = new TreeMap<>(fetched != null ? fetched.tags()
                : creation ? event.carried().tags() : Map.of());
        int inserted = RegistryModelEntity.getEntityManager().createNativeQuery(
                        "INSERT INTO registry_model (name, description, created_at, mirrored_at, updated_at) "
                                + "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO NOTHING")
                .setParameter(1, event.model())
                .setParameter(2, description)
                .setParameter(3, createdAt == null ? null : OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC))
                .setParameter(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .executeUpdate();
        if (inserted != 1) {
            return; // another transaction created it meanwhile; it audits the creation
        }
        RegistryModelEntity model = RegistryModelEntity.findByName(event.model()).orElseThrow();
        tags.forEach((key, value) -> newModelTag(model.id, key, value, now));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("description", description);
        payload.put("createdAt", createdAt == null ? null : createdAt.toString());
        payload.put("tags", tags);
        if (fetched == null && !event.carried().complete()) {
            payload.put("completedFromMlflow", false);
        }
        changes.record("registry.model.created", modelSubject(event.model()), payload,
                new ModelRegistered(event.model(), description, tags, changes.typedOrigin, event.occurredAt()));
    }

    /** A creation event for a model already mirrored: fills in what it carries and the mirror lacks. */
    private void mergeModel(RegistryModelEntity model, RegistryEvent event, MirrorChanges changes, Instant now) {
        if (model.deletedAt != null && (event.carried().complete() || event.occurredAt().isAfter(model.deletedAt))) {
            model.deletedAt = null;
            changes.record("registry.model.created", modelSubject(model.name), Map.of("recreated", true),
                    new ModelRegistered(model.name, model.description, Map.of(), changes.typedOrigin,
                            event.occurredAt()));
        }
        if (event.value() != null && blankToNull(model.description) == null) {
            setDescription(model, event.value(), event, changes);
        }
        for (Map.Entry<String, String> tag : new TreeMap<>(event.carried().tags()).entrySet()) {
            if (RegistryModelTagEntity.findTag(model.id, tag.getKey()).isEmpty()) {
                setModelTag(model, tag.getKey(), tag.getValue(), event, changes, now);
            }
        }
    }

    private void setDescription(RegistryModelEntity model, String description, RegistryEvent event,
                                MirrorChanges changes) {
        if (Objects.equals(blankToNull(description), blankToNull(model.description))) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("description", description);
        payload.put("previous", model.description);
        String previous = model.description;
        model.description = description;
        changes.record("registry.model.updated", modelSubject(model.name), payload,
                new ModelDescriptionChanged(model.name, description, previous, changes.typedOrigin, event.occurredAt()));
    }

    private void setModelTag(RegistryModelEntity model, String key, String value, RegistryEvent event,
                             MirrorChanges changes, Instant now) {
        RegistryModelTagEntity tag = RegistryModelTagEntity.findTag(model.id, key).orElse(null);
        if (tag != null && tag.value.equals(value)) {
            return;
        }
        String previous = tag == null ? null : tag.value;
        if (tag == null) {
            newModelTag(model.id, key, value, now);
        } else {
            tag.value = value;
            tag.updatedAt = now;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("key", key);
        payload.put("value", value);
        payload.put("previous", previous);
        changes.record("registry.model.tag.set", modelSubject(model.name), payload,
                new ModelTagSet(model.name, key, value, previous, changes.typedOrigin, event.occurredAt()));
    }

    private void deleteModelTag(RegistryModelEntity model, String key, RegistryEvent event, MirrorChanges changes) {
        RegistryModelTagEntity tag = RegistryModelTagEntity.findTag(model.id, key).orElse(null);
        if (tag == null) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("key", key);
        payload.put("previous", tag.value);
        tag.delete();
        changes.record("registry.model.tag.deleted", modelSubject(model.name), payload,
                new ModelTagDeleted(model.name, key, tag.value, changes.typedOrigin, event.occurredAt()));
    }

    /** The whole model is gone from MLflow: its aliases end, its versions are marked deleted, then the model. */
    private void deleteModel(RegistryModelEntity model, RegistryEvent event, MirrorChanges changes, Instant now) {
        if (model.deletedAt != null) {
            return;
        }
        for (RegistryAliasEntity alias : RegistryAliasEntity.<RegistryAliasEntity>list("modelId = ?1 order by alias",
                model.id)) {
            versions.deleteAlias(model, alias.alias, event, changes);
        }
        long versionsDeleted = RegistryVersionEntity.update("deletedAt = ?1, updatedAt = ?1 where modelId = ?2 "
                + "and deletedAt is null", now, model.id);
        model.deletedAt = now;
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("versionsMarkedDeleted", versionsDeleted);
        changes.record("registry.model.deleted", modelSubject(model.name), payload,
                new ModelDeleted(model.name, changes.typedOrigin, event.occurredAt()));
    }

    private static void newModelTag(long modelId, String key, String value, Instant now) {
        RegistryModelTagEntity t = new RegistryModelTagEntity();
        t.modelId = modelId;
        t.key = key;
        t.value = value;
        t.updatedAt = now;
        t.persist();
    }

    private void warnNotConfigured() {
        if (!warnedNotConfigured) {
            warnedNotConfigured = true;
            LOG.warn("No MLflow URL is configured (QUANTGATE_MLFLOW_URL): registry events are mirrored from what they "
                    + "carry, without the status, creation time and stage only MLflow can tell");
        }
    }

    static int parseVersion(String version) {
        return VersionMirror.parseVersion(version);
    }

    static String modelSubject(String model) {
        return "model:" + model;
    }

    static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private Instant now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
}
