package dev.quantgate.gate;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.gate.dto.ApprovalView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Promotion requests and their approvals in PostgreSQL. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class PromotionStore {

    private static final String COLUMNS = "id, model_name, version, target, reason, requester, state, decision_id,"
            + " outbox_id, created_at, expires_at, confirmed_at, seq";

    private final EntityManager em;

    public PromotionStore(EntityManager em) {
        this.em = em;
    }

    /** A promotion request as stored. */
    public record Row(UUID id, String model, String version, Target target, String reason, String requester, String state,
                      UUID decisionId, Long outboxId, Instant createdAt, Instant expiresAt, Instant confirmedAt) {
    }

    public void insert(Row r) {
        em.createNativeQuery("INSERT INTO gate_promotion (id, model_name, version, target, reason, requester, state,"
                        + " decision_id, outbox_id, created_at, expires_at, updated_at)"
                        + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10)")
                .setParameter(1, r.id()).setParameter(2, r.model()).setParameter(3, r.version())
                .setParameter(4, r.target().toString()).setParameter(5, r.reason()).setParameter(6, r.requester())
                .setParameter(7, r.state()).setParameter(8, r.decisionId()).setParameter(9, r.outboxId())
                .setParameter(10, r.createdAt()).setParameter(11, r.expiresAt())
                .executeUpdate();
    }

    /** The request, its row locked for the rest of the transaction. */
    public Row lock(UUID id) {
        return one("SELECT " + COLUMNS + " FROM gate_promotion WHERE id = ?1 FOR UPDATE", id);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Row get(UUID id) {
        return one("SELECT " + COLUMNS + " FROM gate_promotion WHERE id = ?1", id);
    }

    /** Requests oldest first, keyset-paged; {@code state} null matches every state. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Row> list(String state, String after, int limit) {
        List<?> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM gate_promotion WHERE seq > ?1"
                        + " AND (CAST(?2 AS varchar) IS NULL OR state = ?2) ORDER BY seq LIMIT ?3")
                .setParameter(1, Page.longCursor(after)).setParameter(2, state).setParameter(3, limit + 1)
                .getResultList();
        List<Object[]> all = rows.stream().map(r -> (Object[]) r).toList();
        Page<Object[]> page = Page.of(all, limit, r -> String.valueOf(((Number) r[12]).longValue()));
        return new Page<>(page.items().stream().map(PromotionStore::row).toList(), page.next());
    }

    /** Moves a request to a state, with its current decision and (when a write was enqueued) the outbox item. */
    public void update(UUID id, String state, UUID decisionId, Long outboxId, Instant now) {
        em.createNativeQuery("UPDATE gate_promotion SET state = ?1, decision_id = ?2, outbox_id = ?3, updated_at = ?4"
                        + " WHERE id = ?5")
                .setParameter(1, state).setParameter(2, decisionId).setParameter(3, outboxId).setParameter(4, now)
                .setParameter(5, id).executeUpdate();
    }

    /** MLflow confirmed the write: the promoting request it belongs to (if any) is promoted. */
    public List<UUID> confirm(long outboxId, Instant now) {
        return em.createNativeQuery("UPDATE gate_promotion SET state = 'promoted', confirmed_at = ?1, updated_at = ?1"
                        + " WHERE outbox_id = ?2 AND state = 'promoting' RETURNING id")
                .setParameter(1, now).setParameter(2, outboxId).getResultList().stream().map(UUID.class::cast).toList();
    }

    /** Waiting requests past their expiry become expired; answers their ids. */
    public List<UUID> expire(Instant now) {
        return em.createNativeQuery("UPDATE gate_promotion SET state = 'expired', updated_at = ?1"
                        + " WHERE state = 'waiting' AND expires_at <= ?1 RETURNING id")
                .setParameter(1, now).getResultList().stream().map(UUID.class::cast).toList();
    }

    /**
     * The approved promotion that stands for this target: the newest request for the model and target that QuantGate
     * set or is setting (promoting, promoted), when it is for exactly this version; else null.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public UUID standingApproval(String model, String version, Target target) {
        List<?> rows = em.createNativeQuery("SELECT id, version FROM gate_promotion WHERE model_name = ?1 AND target = ?2"
                        + " AND state IN ('promoting', 'promoted') ORDER BY seq DESC LIMIT 1")
                .setParameter(1, model).setParameter(2, target.toString()).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] r = (Object[]) rows.get(0);
        return version.equals(r[1]) ? (UUID) r[0] : null;
    }

    public void addApproval(UUID promotion, ApprovalView a) {
        em.createNativeQuery("INSERT INTO gate_approval (promotion_id, decision_id, approver, verdict, comment, counted,"
                        + " not_counted, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .setParameter(1, promotion).setParameter(2, a.decisionId()).setParameter(3, a.approver())
                .setParameter(4, a.verdict()).setParameter(5, a.comment()).setParameter(6, a.counted())
                .setParameter(7, a.notCounted()).setParameter(8, a.at()).executeUpdate();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ApprovalView> approvals(UUID promotion) {
        List<?> rows = em.createNativeQuery("SELECT approver, verdict, comment, decision_id, counted, not_counted, at"
                        + " FROM gate_approval WHERE promotion_id = ?1 ORDER BY id")
                .setParameter(1, promotion).getResultList();
        return rows.stream().map(r -> (Object[]) r).map(r -> new ApprovalView((String) r[0], (String) r[1], (String) r[2],
                (UUID) r[3], (Boolean) r[4], (String) r[5], EvidenceStore.instant(r[6]))).toList();
    }

    private Row one(String sql, UUID id) {
        List<?> rows = em.createNativeQuery(sql).setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            throw new ApiException(ErrorCode.PROMOTION_NOT_FOUND, "No promotion request has id " + id);
        }
        return row((Object[]) rows.get(0));
    }

    private static Row row(Object[] r) {
        return new Row((UUID) r[0], (String) r[1], (String) r[2], Target.parse((String) r[3]), (String) r[4],
                (String) r[5], (String) r[6], (UUID) r[7], r[8] == null ? null : ((Number) r[8]).longValue(),
                EvidenceStore.instant(r[9]), EvidenceStore.instant(r[10]), EvidenceStore.instant(r[11]));
    }
}
