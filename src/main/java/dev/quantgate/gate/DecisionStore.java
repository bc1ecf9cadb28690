package dev.quantgate.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.policy.rules.Candidate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/** Gate decisions in PostgreSQL: inserted once, never changed (a trigger refuses updates and deletes). */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class DecisionStore {

    private static final String COLUMNS = "id, model_name, version, target, policy_name, policy_sha256, policy_problem,"
            + " evidence_sha256, model_tags, version_tags, waivers, approvals, outcome, requester, decided_at,"
            + " judgement_json, judgement_sha256, seq";

    private final EntityManager em;
    private final ObjectMapper json;

    public DecisionStore(EntityManager em, ObjectMapper json) {
        this.em = em;
        this.json = json;
    }

    public void insert(StoredDecision d) {
        em.createNativeQuery("INSERT INTO gate_decision (id, model_name, version, target, policy_name, policy_sha256,"
                        + " policy_problem, evidence_sha256, model_tags, version_tags, waivers, approvals, outcome, requester,"
                        + " decided_at, judgement_json, judgement_sha256)"
                        + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)")
                .setParameter(1, d.id()).setParameter(2, d.model()).setParameter(3, d.version())
                .setParameter(4, d.target().toString()).setParameter(5, d.policyName()).setParameter(6, d.policySha256())
                .setParameter(7, d.policyProblem()).setParameter(8, d.evidenceSha256())
                .setParameter(9, Jcs.write(d.modelTags())).setParameter(10, Jcs.write(d.versionTags()))
                .setParameter(11, Jcs.write(d.waivers().stream().map(DecisionStore::waiver).toList()))
                .setParameter(12, Jcs.write(d.approvals().stream().map(Approval::toMap).toList()))
                .setParameter(13, d.outcome()).setParameter(14, d.requester()).setParameter(15, d.decidedAt())
                .setParameter(16, d.judgementJson()).setParameter(17, d.judgementSha256())
                .executeUpdate();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public StoredDecision get(UUID id) {
        List<?> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM gate_decision WHERE id = ?1")
                .setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            throw new ApiException(ErrorCode.DECISION_NOT_FOUND, "No gate decision has id " + id);
        }
        return decision((Object[]) rows.get(0));
    }

    /** The id of the newest decision on this model version, if any. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UUID> latest(String model, String version) {
        return em.createNativeQuery("SELECT id FROM gate_decision WHERE model_name = ?1 AND version = ?2"
                        + " ORDER BY seq DESC LIMIT 1").setParameter(1, model).setParameter(2, version)
                .getResultList().stream().map(UUID.class::cast).findFirst();
    }

    /** Decisions newest first, keyset-paged on the insertion order; null filters match everything. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<StoredDecision> list(DecisionFilter filter, String after, int limit) {
        long cursor = after == null || after.isBlank() ? Long.MAX_VALUE : Page.longCursor(after);
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM gate_decision WHERE seq < :after");
        Map<String, Object> params = new TreeMap<>();
        params.put("after", cursor);
        where(sql, params, "model_name = :model", "model", filter.model());
        where(sql, params, "target = :target", "target", filter.target());
        where(sql, params, "outcome = :outcome", "outcome", filter.outcome());
        where(sql, params, "decided_at >= :from", "from", filter.from());
        where(sql, params, "decided_at < :to", "to", filter.to());
        sql.append(" ORDER BY seq DESC LIMIT :limit");
        params.put("limit", limit + 1);
        Query q = em.createNativeQuery(sql.toString());
        params.forEach(q::setParameter);
        List<Object[]> rows = new ArrayList<>();
        for (Object r : q.getResultList()) {
            rows.add((Object[]) r);
        }
        Page<Object[]> page = Page.of(rows, limit, r -> String.valueOf(((Number) r[17]).longValue()));
        return new Page<>(page.items().stream().map(this::decision).toList(), page.next());
    }

    private static void where(StringBuilder sql, Map<String, Object> params, String clause, String name, Object value) {
        if (value != null) {
            sql.append(" AND ").append(clause);
            params.put(name, value);
        }
    }

    private StoredDecision decision(Object[] r) {
        List<Candidate.Waiver> waivers = new ArrayList<>();
        for (JsonNode w : tree((String) r[10])) {
            waivers.add(new Candidate.Waiver(w.path("id").asText(), w.path("rule").asText(),
                    Instant.parse(w.path("expires_at").asText())));
        }
        List<Approval> approvals = new ArrayList<>();
        for (JsonNode a : tree((String) r[11])) {
            approvals.add(new Approval(a.path("approver").asText(), a.path("verdict").asText(), Instant.parse(a.path("at").asText())));
        }
        return new StoredDecision((UUID) r[0], (String) r[1], (String) r[2], Target.parse((String) r[3]), (String) r[4],
                (String) r[5], (String) r[6], (String) r[7], tags((String) r[8]), tags((String) r[9]), waivers, approvals,
                (String) r[12], (String) r[13], EvidenceStore.instant(r[14]), (String) r[15], (String) r[16]);
    }

    private Map<String, String> tags(String text) {
        try {
            return json.readValue(text, new TypeReference<TreeMap<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored decision tags are not JSON", e);
        }
    }

    private JsonNode tree(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored decision inputs are not JSON", e);
        }
    }

    private static Map<String, Object> waiver(Candidate.Waiver w) {
        Map<String, Object> m = new TreeMap<>();
        m.put("id", w.id());
        m.put("rule", w.ruleId());
        m.put("expires_at", w.expiresAt().toString());
        return m;
    }

    /** The list's filters; any may be null. */
    public record DecisionFilter(String model, String target, String outcome, Instant from, Instant to) {
    }
}
