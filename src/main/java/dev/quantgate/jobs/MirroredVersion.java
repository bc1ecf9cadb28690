package dev.quantgate.jobs;

import dev.quantgate.registry.RegistryModelEntity;
import dev.quantgate.registry.RegistryModelTagEntity;
import dev.quantgate.registry.RegistryVersionEntity;
import dev.quantgate.registry.RegistryVersionTagEntity;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A model version as the registry mirror holds it, with its own and its registered model's tags. */
record MirroredVersion(String model, int version, String source, String runId, boolean deleted,
                       Map<String, String> modelTags, Map<String, String> tags) {

    static final String VARIANT_OF = "quantgate.variant_of";

    static Optional<MirroredVersion> find(String model, int version) {
        return RegistryModelEntity.findByName(model).flatMap(m -> RegistryVersionEntity.findVersion(m.id, version)
                .map(v -> new MirroredVersion(m.name, v.version, v.source, v.runId, v.deletedAt != null,
                        modelTags(m.id), versionTags(v.id))));
    }

    static Map<String, String> modelTags(long modelId) {
        Map<String, String> tags = new TreeMap<>();
        RegistryModelTagEntity.<RegistryModelTagEntity>list("modelId", modelId).forEach(t -> tags.put(t.key, t.value));
        return tags;
    }

    static Map<String, String> versionTags(long versionId) {
        Map<String, String> tags = new TreeMap<>();
        RegistryVersionTagEntity.<RegistryVersionTagEntity>list("versionId", versionId)
                .forEach(t -> tags.put(t.key, t.value));
        return tags;
    }

    /** Tags of a registered model by name (none when it is not mirrored). */
    static Map<String, String> modelTags(String model) {
        return RegistryModelEntity.findByName(model).map(m -> modelTags(m.id)).orElse(Map.of());
    }
}
