package dev.quantgate.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.registry.dto.AliasView;
import dev.quantgate.registry.dto.ModelView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registered models read in one query each: a page as the models' stored list entries
 * ({@link ModelListing}), one model straight into a {@link ModelView} with its aliases, tags and
 * version count (aliases and tags aggregated as JSON by PostgreSQL, times as exact epoch microseconds).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class ModelRows {

    private static final String SELECT = "SELECT m.name, m.description, " + micros("m.created_at") + ", "
            + micros("m.mirrored_at") + ", " + micros("m.updated_at") + ", " + micros("m.deleted_at") + ","
            + " (SELECT count(*) FROM registry_version v WHERE v.model_id = m.id),"
            + " (SELECT coalesce(json_agg(json_build_object('alias', a.alias, 'version', a.version, 'since', "
            + micros("a.since") + ") ORDER BY a.alias), '[]')::text FROM registry_alias a WHERE a.model_id = m.id),"
            + " (SELECT coalesce(json_object_agg(t.tag_key, t.tag_value ORDER BY t.tag_key), '{}')::text"
            + "  FROM registry_model_tag t WHERE t.model_id = m.id)"
            + " FROM registry_model m";

    private final EntityManager em;
    private final ObjectMapper json;

    public ModelRows(EntityManager em, ObjectMapper json) {
        this.em = em;
        this.json = json;
    }

    /** Models named after {@code after} (all when it is empty), by name, at most {@code limit}, as stored list entries. */
    public List<ModelListing> page(String after, int limit) {
        List<?> rows = em.createNativeQuery("SELECT m.name, m.listing FROM registry_model m"
                        + " WHERE m.name > ?1 ORDER BY m.name LIMIT ?2")
                .setParameter(1, after)
                .setParameter(2, limit)
                .getResultList();
        List<ModelListing> page = new ArrayList<>(rows.size());
        for (Object row : rows) {
            Object[] columns = (Object[]) row;
            page.add(new ModelListing((String) columns[0], (String) columns[1]));
        }
        return page;
    }

    public Optional<ModelView> one(String name) {
        List<?> rows = em.createNativeQuery(SELECT + " WHERE m.name = ?1").setParameter(1, name).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(view((Object[]) rows.get(0)));
    }

    private ModelView view(Object[] row) {
        try {
            List<AliasView> aliases = new ArrayList<>();
            for (JsonNode a : json.readTree((String) row[7])) {
                aliases.add(new AliasView(a.path("alias").asText(), a.path("version").asText(),
                        instant(a.path("since").asLong())));
            }
            Map<String, String> tags = new LinkedHashMap<>();
            json.readTree((String) row[8]).fields().forEachRemaining(t -> tags.put(t.getKey(), t.getValue().asText()));
            return new ModelView((String) row[0], (String) row[1], instant(row[2]), instant(row[3]), instant(row[4]),
                    ((Number) row[6]).longValue(), List.copyOf(aliases), tags, instant(row[5]));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("PostgreSQL's aggregate of a model's aliases and tags is not JSON", e);
        }
    }

    private static String micros(String column) {
        return "floor(extract(epoch FROM " + column + ") * 1000000)::bigint";
    }

    private static Instant instant(Object micros) {
        return micros == null ? null : instant(((Number) micros).longValue());
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
