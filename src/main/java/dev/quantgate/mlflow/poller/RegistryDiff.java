package dev.quantgate.mlflow.poller;

import dev.quantgate.mlflow.client.MlflowModel;
import dev.quantgate.mlflow.client.MlflowModelVersion;
import dev.quantgate.registry.RegistryEvent;
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
 */
final class RegistryDiff {

    private RegistryDiff() {
    }

    /**
     * @param mirrored the mirror's state, {@code null} when the model is new to it
     * @param events   receives the events, in the order to apply them
     * @param refresh  receives versions whose status or description changed (no event kind for those)
     * @param deleted  receives {model, version} of mirrored versions MLflow no longer has
     */
    static void diff(MlflowModel model, List<MlflowModelVersion> versions, MirrorSnapshot.Model mirrored, Instant at,
                     List<RegistryEvent> events, List<MlflowModelVersion> refresh, List<String[]> deleted) {
        String name = model.name();
        Map<String, MirrorSnapshot.Version> known = mirrored == null ? Map.of() : mirrored.versions();
        if (mirrored == null) {
            events.add(event(Kind.MODEL_CREATED, name, null, null, blankToNull(model.description()), at));
        }
        Set<String> inMlflow = new HashSet<>();
        for (MlflowModelVersion v : versions) {
            inMlflow.add(v.version());
            MirrorSnapshot.Version mv = known.get(v.version());
            if (mv == null) {
                // the sink reads the whole version (stage, status, tags) from MLflow when it creates it
                events.add(event(Kind.VERSION_CREATED, name, v.version(), null, blankToNull(v.description()), at));
                continue;
            }
            if (v.currentStage() != null && !v.currentStage().equals(mv.stage())) {
                events.add(event(Kind.STAGE_CHANGED, name, v.version(), null, v.currentStage(), at));
            }
            for (Map.Entry<String, String> tag : new TreeMap<>(v.tags()).entrySet()) {
                if (!tag.getValue().equals(mv.tags().get(tag.getKey()))) {
                    events.add(event(Kind.VERSION_TAG_SET, name, v.version(), tag.getKey(), tag.getValue(), at));
                }
            }
            for (String key : new TreeMap<>(mv.tags()).keySet()) {
                if (!v.tags().containsKey(key)) {
                    events.add(event(Kind.VERSION_TAG_DELETED, name, v.version(), key, null, at));
                }
            }
            if ((v.status() != null && !v.status().equals(mv.status()))
                    || !Objects.equals(blankToNull(v.description()), blankToNull(mv.description()))) {
                refresh.add(v);
            }
        }
        Map<String, String> aliases = aliases(model, versions);
        Map<String, String> mirroredAliases = mirrored == null ? Map.of() : mirrored.aliases();
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
            if (!alias.getValue().equals(mirroredAliases.get(alias.getKey()))) {
                events.add(event(Kind.ALIAS_SET, name, alias.getValue(), alias.getKey(), null, at));
            }
        }
        for (String alias : new TreeMap<>(mirroredAliases).keySet()) {
            if (!aliases.containsKey(alias)) {
                events.add(event(Kind.ALIAS_DELETED, name, null, alias, null, at));
            }
        }
        for (Map.Entry<String, MirrorSnapshot.Version> mv : new TreeMap<>(known).entrySet()) {
            if (!mv.getValue().deleted() && !inMlflow.contains(mv.getKey())) {
                deleted.add(new String[]{name, mv.getKey()});
            }
        }
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
        return new RegistryEvent(kind, model, version, key, value, at, RegistryPoller.ORIGIN);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
