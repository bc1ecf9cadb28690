package dev.quantgate.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.evidence.StoredEvidence;
import dev.quantgate.policy.rules.Candidate;
import dev.quantgate.registry.RegistryModelEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A promotion candidate as the gate judges it: the mirrored model's and version's tags, the newest evidence of the
 * variant registered as that version (none: the judge denies as missing evidence), and its waivers.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class CandidateReader {

    static final int CACHED = 256;

    private final EvidenceStore evidence;
    private final WaiverStore waivers;
    private final ObjectMapper json;
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    public CandidateReader(EvidenceStore evidence, WaiverStore waivers, ObjectMapper json) {
        this.evidence = evidence;
        this.waivers = waivers;
        this.json = json;
    }

    /** The mirrored model's tags; 404 when the mirror does not hold the model version. */
    public Map<String, String> modelTags(String model, String version) {
        return mirrored(model, version).modelTags();
    }

    /** The mirrored model's tags, or none when the mirror does not hold the model (e.g. a name not yet used). */
    public Map<String, String> modelTagsIfMirrored(String model) {
        List<?> rows = em().createNativeQuery("SELECT (SELECT CAST(json_object_agg(t.tag_key, t.tag_value) AS text)"
                        + " FROM registry_model_tag t WHERE t.model_id = m.id) FROM registry_model m"
                        + " WHERE m.name = ?1 AND m.deleted_at IS NULL")
                .setParameter(1, model).getResultList();
        return rows.isEmpty() ? new TreeMap<>() : tags((String) rows.get(0));
    }

    /** The candidate as of now with its model's tags, the mirror read in one statement; 404 as {@link #modelTags}. */
    public Candidate read(String model, String version) {
        Mirrored m = mirrored(model, version);
        return read(model, version, m, m.modelTags());
    }

    /** The candidate as of now (waivers not revoked; the judge ignores expired ones). */
    public Candidate read(String model, String version, Map<String, String> modelTags) {
        return read(model, version, mirrored(model, version), modelTags);
    }

    private Candidate read(String model, String version, Mirrored m, Map<String, String> modelTags) {
        Candidate.Evidence e = evidence.forVariant(model, m.version()).map(this::evidence).orElse(null);
        return new Candidate(model, version, modelTags, m.versionTags(), e, waivers.inForce(model, version));
    }

    /** What the judge needs of the mirror: the version's number and both tag sets (plain reads, nothing managed). */
    private record Mirrored(int version, Map<String, String> modelTags, Map<String, String> versionTags) {
    }

    private Mirrored mirrored(String model, String version) {
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "version must be a model version number, was '" + version + "'");
        }
        List<?> rows = em().createNativeQuery("SELECT v.id,"
                        + " (SELECT CAST(json_object_agg(t.tag_key, t.tag_value) AS text) FROM registry_model_tag t"
                        + " WHERE t.model_id = m.id),"
                        + " (SELECT CAST(json_object_agg(t.tag_key, t.tag_value) AS text) FROM registry_version_tag t"
                        + " WHERE t.version_id = v.id)"
                        + " FROM registry_model m LEFT JOIN registry_version v ON v.model_id = m.id AND v.version = ?2"
                        + " AND v.deleted_at IS NULL WHERE m.name = ?1 AND m.deleted_at IS NULL")
                .setParameter(1, model).setParameter(2, number).getResultList();
        Object[] row = rows.isEmpty() ? null : (Object[]) rows.get(0);
        if (row == null || row[0] == null) {
            throw notMirrored(model, version);
        }
        return new Mirrored(number, tags((String) row[1]), tags((String) row[2]));
    }

    private Map<String, String> tags(String jsonObject) {
        if (jsonObject == null) {
            return new TreeMap<>();
        }
        try {
            return json.readValue(jsonObject, new TypeReference<TreeMap<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("PostgreSQL's json_object_agg gave unreadable JSON", e);
        }
    }

    private static EntityManager em() {
        return RegistryModelEntity.getEntityManager();
    }

    /**
     * Stored evidence as the judge reads it. Evidence is immutable and content-addressed, so its parsed tree is kept
     * (at most {@value #CACHED} of them) and handed to every decision over it, never written to; a row whose text is
     * not the text the tree was parsed from is parsed again (and the judge's hash check sees it).
     */
    public Candidate.Evidence evidence(StoredEvidence stored) {
        String sha = stored.summary().sha256();
        Parsed p = parsed.get(sha);
        if (p == null || !p.text().equals(stored.canonicalJson())) {
            try {
                p = new Parsed(stored.canonicalJson(), json.readTree(stored.canonicalJson()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored evidence " + sha + " is not JSON", e);
            }
            if (parsed.size() >= CACHED) {
                parsed.clear();
            }
            parsed.put(sha, p);
        }
        return new Candidate.Evidence(sha, p.tree(), stored.summary().recordedAt());
    }

    /** A stored evidence text and its tree. */
    private record Parsed(String text, JsonNode tree) {
    }

    private static ApiException notMirrored(String model, String version) {
        return new ApiException(ErrorCode.MODEL_VERSION_NOT_FOUND, "The registry mirror holds no version " + version
                + " of model '" + model + "'");
    }
}
