package dev.quantgate.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.registry.dto.AliasIntervalView;
import dev.quantgate.registry.dto.AliasView;
import dev.quantgate.registry.dto.ModelView;
import dev.quantgate.registry.dto.VersionView;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the registry mirror: models, versions, aliases and alias history, keyset-paginated. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class RegistryQueries {

    private static final String STATUSES = """
            SELECT version, status FROM job_source_status WHERE model_name = ?1 AND status IS NOT NULL
            UNION ALL
            SELECT i.version, 'inspecting' FROM source_inspection i WHERE i.model_name = ?1 AND i.state = 'pending'
                AND NOT EXISTS (SELECT 1 FROM job_source_status s WHERE s.model_name = i.model_name
                    AND s.version = i.version AND s.status IS NOT NULL)""";

    private final ModelRows modelRows;
    private final ObjectMapper json;
    private final EntityManager em;

    public RegistryQueries(ModelRows modelRows, ObjectMapper json, EntityManager em) {
        this.modelRows = modelRows;
        this.json = json;
        this.em = em;
    }

    /**
     * One page of models, each with its aliases, tags and version count, as the JSON of a
     * {@code Page<ModelView>}: one query per page, written from the models' stored list entries.
     */
    public String models(String after, int limit) {
        List<ModelListing> rows = modelRows.page(after == null ? "" : after, limit + 1);
        return ModelListing.pageJson(Page.of(rows, limit, ModelListing::name), json);
    }

    public ModelView model(String name) {
        return modelRows.one(name).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                "The mirror has no registered model named '" + name + "'"));
    }

    public Page<VersionView> versions(String name, String after, int limit) {
        RegistryModelEntity model = requireModel(name);
        int cursor = (int) Math.min(Integer.MAX_VALUE, Page.longCursor(after));
        List<RegistryVersionEntity> rows = RegistryVersionEntity.<RegistryVersionEntity>find(
                        "modelId = ?1 and version > ?2", Sort.by("version"), model.id, cursor)
                .page(0, limit + 1).list();
        Map<Integer, List<String>> aliases = aliasesByVersion(model.id);
        Map<Integer, String> statuses = quantgateStatuses(model.name);
        List<VersionView> views = rows.stream().map(v -> view(model, v, aliases, statuses)).toList();
        return Page.of(views, limit, VersionView::version);
    }

    public VersionView version(String name, String version) {
        RegistryModelEntity model = requireModel(name);
        int number = parseVersion(version);
        RegistryVersionEntity row = RegistryVersionEntity.findVersion(model.id, number)
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                        "The mirror has no version " + number + " of registered model '" + name + "'"));
        return view(model, row, aliasesByVersion(model.id), quantgateStatuses(model.name));
    }

    public Page<AliasView> aliases(String name, String after, int limit) {
        RegistryModelEntity model = requireModel(name);
        List<RegistryAliasEntity> rows = (after == null || after.isEmpty()
                ? RegistryAliasEntity.<RegistryAliasEntity>find("modelId = ?1", Sort.by("alias"), model.id)
                : RegistryAliasEntity.<RegistryAliasEntity>find("modelId = ?1 and alias > ?2", Sort.by("alias"),
                model.id, after))
                .page(0, limit + 1).list();
        return Page.of(rows.stream().map(RegistryQueries::view).toList(), limit, AliasView::alias);
    }

    /** Every interval of an alias, oldest first. */
    public Page<AliasIntervalView> aliasHistory(String name, String alias, String after, int limit) {
        RegistryModelEntity model = requireModel(name);
        List<RegistryAliasHistoryEntity> rows = RegistryAliasHistoryEntity.<RegistryAliasHistoryEntity>find(
                        "modelId = ?1 and alias = ?2 and id > ?3", Sort.by("id"), model.id, alias, Page.longCursor(after))
                .page(0, limit + 1).list();
        return Page.of(rows.stream().map(RegistryQueries::view).toList(), limit, i -> Long.toString(i.id()));
    }

    /** The interval of an alias that covers an instant (which version held it then), or an empty page. */
    public Page<AliasIntervalView> aliasAt(String name, String alias, Instant at) {
        RegistryModelEntity model = requireModel(name);
        return RegistryAliasHistoryEntity.<RegistryAliasHistoryEntity>find(
                        "modelId = ?1 and alias = ?2 and validFrom <= ?3 and (validTo is null or validTo > ?3)",
                        Sort.descending("validFrom", "id"), model.id, alias, at)
                .firstResultOptional()
                .map(i -> new Page<>(List.of(view(i)), null))
                .orElseGet(() -> new Page<>(List.of(), null));
    }

    private static RegistryModelEntity requireModel(String name) {
        return RegistryModelEntity.findByName(name)
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                        "The mirror has no registered model named '" + name + "'"));
    }

    /**
     * What QuantGate last said of each version of the model (the jobs' source status), or {@code inspecting} while
     * its MLmodel is still to be read before anything is planned.
     */
    private Map<Integer, String> quantgateStatuses(String model) {
        Map<Integer, String> out = new HashMap<>();
        List<?> rows = em.createNativeQuery(STATUSES).setParameter(1, model).getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            out.put(((Number) r[0]).intValue(), (String) r[1]);
        }
        return out;
    }

    private static VersionView view(RegistryModelEntity model, RegistryVersionEntity v,
                                    Map<Integer, List<String>> aliases, Map<Integer, String> statuses) {
        Map<String, String> tags = new LinkedHashMap<>();
        RegistryVersionTagEntity.<RegistryVersionTagEntity>find("versionId = ?1", Sort.by("key"), v.id)
                .list().forEach(t -> tags.put(t.key, t.value));
        return new VersionView(model.name, Integer.toString(v.version), v.source, v.runId, v.status, v.description,
                v.createdAt, v.currentStage, tags, statuses.get(v.version), aliases.getOrDefault(v.version, List.of()), v.mirroredAt,
                v.updatedAt, v.deletedAt);
    }

    private static AliasView view(RegistryAliasEntity a) {
        return new AliasView(a.alias, Integer.toString(a.version), a.since);
    }

    private static AliasIntervalView view(RegistryAliasHistoryEntity h) {
        return new AliasIntervalView(h.id, h.alias, Integer.toString(h.version), h.validFrom, h.validTo, h.setBy,
                h.clearedBy);
    }

    private static Map<Integer, List<String>> aliasesByVersion(long modelId) {
        Map<Integer, List<String>> byVersion = new HashMap<>();
        RegistryAliasEntity.<RegistryAliasEntity>find("modelId = ?1", Sort.by("alias"), modelId).list()
                .forEach(a -> byVersion.computeIfAbsent(a.version, k -> new ArrayList<>()).add(a.alias));
        return byVersion;
    }

    private static int parseVersion(String version) {
        try {
            return RegistryMirror.parseVersion(version);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }
}
