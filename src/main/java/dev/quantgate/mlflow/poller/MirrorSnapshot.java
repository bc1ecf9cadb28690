package dev.quantgate.mlflow.poller;

import dev.quantgate.registry.RegistryAliasEntity;
import dev.quantgate.registry.RegistryModelEntity;
import dev.quantgate.registry.RegistryModelTagEntity;
import dev.quantgate.registry.RegistryVersionEntity;
import dev.quantgate.registry.RegistryVersionTagEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The mirror's state of one registered model, in the shape the poller compares with MLflow's. */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class MirrorSnapshot {

    /**
     * A mirrored model: versions by MLflow's version string, aliases as alias → version string.
     *
     * @param deleted the mirror marked the whole model deleted from MLflow
     */
    public record Model(String description, Map<String, String> tags, boolean deleted,
                        Map<String, Version> versions, Map<String, String> aliases) {

        /** A live model without description or tags. */
        public Model(Map<String, Version> versions, Map<String, String> aliases) {
            this(null, Map.of(), false, versions, aliases);
        }
    }

    public record Version(String stage, String status, String description, Map<String, String> tags, boolean deleted) {
    }

    /** @return the model as mirrored, or {@code null} when the mirror has never seen it */
    public Model load(String name) {
        RegistryModelEntity model = RegistryModelEntity.findByName(name).orElse(null);
        if (model == null) {
            return null;
        }
        List<RegistryVersionEntity> rows = RegistryVersionEntity.list("modelId", model.id);
        Map<Long, Map<String, String>> tagsByVersion = new HashMap<>();
        RegistryVersionTagEntity.<RegistryVersionTagEntity>list(
                        "versionId in (select v.id from RegistryVersionEntity v where v.modelId = ?1)", model.id)
                .forEach(t -> tagsByVersion.computeIfAbsent(t.versionId, k -> new HashMap<>()).put(t.key, t.value));
        Map<String, Version> versions = new HashMap<>();
        for (RegistryVersionEntity v : rows) {
            versions.put(Integer.toString(v.version), new Version(v.currentStage, v.status, v.description,
                    tagsByVersion.getOrDefault(v.id, Map.of()), v.deletedAt != null));
        }
        Map<String, String> aliases = new HashMap<>();
        RegistryAliasEntity.<RegistryAliasEntity>list("modelId", model.id)
                .forEach(a -> aliases.put(a.alias, Integer.toString(a.version)));
        Map<String, String> tags = new HashMap<>();
        RegistryModelTagEntity.<RegistryModelTagEntity>list("modelId", model.id).forEach(t -> tags.put(t.key, t.value));
        return new Model(model.description, tags, model.deletedAt != null, versions, aliases);
    }

    /** Names of live (not deleted) mirrored models that are not among {@code seen}, in name order. */
    public List<String> liveModelsNotIn(Collection<String> seen) {
        Set<String> known = seen instanceof Set<String> set ? set : new HashSet<>(seen);
        return RegistryModelEntity.getEntityManager()
                .createQuery("select m.name from RegistryModelEntity m where m.deletedAt is null order by m.name",
                        String.class)
                .getResultStream().filter(name -> !known.contains(name)).toList();
    }
}
