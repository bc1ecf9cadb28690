package dev.quantgate.mlflow.poller;

import dev.quantgate.mlflow.client.MlflowModel;
import dev.quantgate.mlflow.client.MlflowModelVersion;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEvent.Carried;
import dev.quantgate.registry.RegistryEvent.Kind;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The difference between MLflow's view of one registered model and the mirror's, as the registry
 * events that would bring the mirror up to date. Pure: no I/O, so it is tested in milliseconds.
 *
 * <p>Each event is dated by MLflow's own timestamp where MLflow has one for it (creation time of a
 * model or version, {@code last_updated_timestamp} of a version whose stage, status or description
 * changed, of a model whose description changed), never later than the poll; aliases, tags and
 * deletions carry no timestamp in MLflow and are dated by the poll. Every event carries what the poll
 * read ({@link Carried#complete()}), so the mirror asks MLflow nothing more.
 */
final class RegistryDiff {

    private RegistryDiff() {
    }

    /**
     * @param mirrored the mirror's state, {@code null} when the model is new to it
     * @param polledAt when the poll read MLflow
     * @param events   receives the events, in the order to apply them
     */
    static void diff(MlflowModel model, List<MlflowModelVersion> versions, MirrorSnapshot.Model mirrored,
                     Instant polledAt, List<RegistryEvent> events) {
        String name = model.name();
        Map<String, MirrorSnapshot.Version> known = mirrored == null ? Map.of() : mirrored.versions();
        if (mirrored == null || mirrored.deleted()) {
            events.add(new RegistryEvent(Kind.MODEL_CREATED, name, null, null, blankToNull(model.description()),
                    dated(model.creationTimestamp(), polledAt), RegistryPoller.ORIGIN,
                    new Carried(null, null, null, null, millis(model.creationTimestamp()), model.tags(), true)));
        }
        if (mirrored != null) {
            if (!Objects.equals(blankToNull(model.description()), blankToNull(mirrored.description()))) {
                events.add(event(Kind.MODEL_UPDATED, name, null, null, blankToNull(model.description()),
                        dated(model.lastUpdatedTimestamp(), polledAt)));
            }
            for (Map.Entry<String, String> tag : new TreeMap<>(model.tags()).entrySet()) {
                if (!tag.getValue().equals(mirrored.tags().get(tag.getKey()))) {
                    events.add(event(Kind.MODEL_TAG_SET, name, null, tag.getKey(), tag.getValue(), polledAt));
                }
            }
            for (String key : new TreeMap<>(mirrored.tags()).keySet()) {
                if (!model.tags().containsKey(key)) {
                    events.add(event(Kind.MODEL_TAG_DELETED, name, null, key, null, polledAt));
                }
            }
        }
        Set<String> inMlflow = new HashSet<>();
        for (MlflowModelVersion v : versions) {
            inMlflow.add(v.version());
            MirrorSnapshot.Version mv = known.get(v.version());
            if (mv == null) {
                events.add(new RegistryEvent(Kind.VERSION_CREATED, name, v.version(), null,
                        blankToNull(v.description()), dated(v.creationTimestamp(), polledAt), RegistryPoller.ORIGIN,
                        new Carried(v.source(), blankToNull(v.runId()), v.status(),
                                v.currentStage() == null ? "None" : v.currentStage(), millis(v.creationTimestamp()),
                                v.tags(), true)));
                continue;
            }
            Instant updatedAt = dated(v.lastUpdatedTimestamp(), polledAt);
            if (v.currentStage() != null && !v.currentStage().equals(mv.stage())) {
                events.add(event(Kind.STAGE_CHANGED, name, v.version(), null, v.currentStage(), updatedAt));
            }
            for (Map.Entry<String, String> tag : new TreeMap<>(v.tags()).entrySet()) {
                if (!tag.getValue().equals(mv.tags().get(tag.getKey()))) {
                    events.add(event(Kind.VERSION_TAG_SET, name, v.version(), tag.getKey(), tag.getValue(), polledAt));
                }
            }
            for (String key : new TreeMap<>(mv.tags()).keySet()) {
                if (!v.tags().containsKey(key)) {
                    events.add(event(Kind.VERSION_TAG_DELETED, name, v.version(), key, null, polledAt));
                }
            }
            if ((v.status() != null && !v.status().equals(mv.status()))
                    || !Objects.equals(blankToNull(v.description()), blankToNull(mv.description()))) {
                events.add(new RegistryEvent(Kind.VERSION_UPDATED, name, v.version(), null,
                        blankToNull(v.description()), updatedAt, RegistryPoller.ORIGIN,
                        new Carried(null, null, v.status(), null, null, Map.of(), true)));
            }
        }
        Map<String, String> aliases = aliases(model, versions);
        Map<String, String> mirroredAliases = mirrored == null ? Map.of() : mirrored.aliases();
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
            if (!alias.getValue().equals(mirroredAliases.get(alias.getKey()))) {
                events.add(event(Kind.ALIAS_SET, name, alias.getValue(), alias.getKey(), null, polledAt));
            }
        }
        for (String alias : new TreeMap<>(mirroredAliases).keySet()) {
            if (!aliases.containsKey(alias)) {
                events.add(event(Kind.ALIAS_DELETED, name, null, alias, null, polledAt));
            }
        }
        for (Map.Entry<String, MirrorSnapshot.Version> mv : new TreeMap<>(known).entrySet()) {
            if (!mv.getValue().deleted() && !inMlflow.contains(mv.getKey())) {
                events.add(event(Kind.VERSION_DELETED, name, mv.getKey(), null, null, polledAt));
            }
        }
    }

    /** A mirrored model MLflow no longer has. */
    static RegistryEvent modelDeleted(String name, Instant polledAt) {
        return event(Kind.MODEL_DELETED, name, null, null, null, polledAt);
    }

    /**
     * Aliases as MLflow reports them on the model ({@code {alias, version}} objects) and on each
     * version (alias strings); either may be absent from a search answer, so both are read.
     */
    static Map<String, String> aliases(MlflowModel model, List<MlflowModelVersion> versions) {
        Map<String, String> aliases = new TreeMap<>(model.aliases());
        for (MlflowModelVersion v : versions) {
            for (String alias : v.aliases()) {
                aliases.putIfAbsent(alias, v.version());
            }
        }
        return new LinkedHashMap<>(aliases);
    }

    private static RegistryEvent event(Kind kind, String model, String version, String key, String value, Instant at) {
        return new RegistryEvent(kind, model, version, key, value, at, RegistryPoller.ORIGIN,
                new Carried(null, null, null, null, null, Map.of(), true));
    }

    /** MLflow's timestamp where it has one, never after the poll that read it. */
    static Instant dated(Long epochMillis, Instant polledAt) {
        if (epochMillis == null || epochMillis <= 0) {
            return polledAt;
        }
        Instant at = Instant.ofEpochMilli(epochMillis);
        return at.isAfter(polledAt) ? polledAt : at;
    }

    private static Instant millis(Long epochMillis) {
        return epochMillis == null || epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
