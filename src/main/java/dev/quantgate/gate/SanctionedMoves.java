package dev.quantgate.gate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Alias and stage moves QuantGate sanctioned: its own writes through the outbox (a promotion, a revert) and the calls
 * its MLflow proxy let through. The newest of them says where QuantGate last meant the alias (or version) to be; a
 * change that matches it is an echo, not a write behind QuantGate's back.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class SanctionedMoves {

    private final EntityManager em;

    public SanctionedMoves(EntityManager em) {
        this.em = em;
    }

    /** A proxied call let through, as recorded. */
    public record Pass(String model, Target target, String version, UUID decisionId, UUID promotionId, String requester,
                       Instant at) {
    }

    /** Records a call the proxy lets through, ordered after every outbox write to the same target made so far. */
    public void recordPass(Pass pass) {
        Long seen = pass.target().kind() == Target.Kind.ALIAS ? latestOutbox(pass.model(), pass.target().name()) : null;
        em.createNativeQuery("INSERT INTO gate_proxy_pass (model_name, target, version, decision_id, promotion_id,"
                        + " outbox_seen, requester, passed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .setParameter(1, pass.model()).setParameter(2, pass.target().toString()).setParameter(3, pass.version())
                .setParameter(4, pass.decisionId()).setParameter(5, pass.promotionId()).setParameter(6, seen)
                .setParameter(7, pass.requester()).setParameter(8, pass.at())
                .executeUpdate();
    }

    /**
     * Whether QuantGate's newest sanctioned move of this alias (its own outbox write, or a proxied call it let
     * through after that write) set it to exactly this version. An outbox write MLflow has confirmed no longer
     * sanctions anything: the mirror took it in when it was confirmed ({@code ConfirmedWritesMirror}), so its echo
     * changes nothing, and a later direct move into the same state is judged like any other.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public boolean isSanctioned(String model, String alias, String version) {
        List<?> own = em.createNativeQuery("SELECT id, CASE WHEN status = 'SENT' THEN NULL"
                        + " ELSE CAST(write_json AS jsonb) ->> 'version' END FROM mlflow_outbox"
                        + " WHERE model_name = ?1 AND kind IN ('set-alias', 'delete-alias')"
                        + " AND CAST(write_json AS jsonb) ->> 'alias' = ?2 ORDER BY id DESC LIMIT 1")
                .setParameter(1, model).setParameter(2, alias).getResultList();
        List<?> passed = em.createNativeQuery("SELECT outbox_seen, version FROM gate_proxy_pass"
                        + " WHERE model_name = ?1 AND target = ?2 ORDER BY id DESC LIMIT 1")
                .setParameter(1, model).setParameter(2, new Target(Target.Kind.ALIAS, alias).toString()).getResultList();
        Object[] write = own.isEmpty() ? null : (Object[]) own.get(0);
        Object[] pass = passed.isEmpty() ? null : (Object[]) passed.get(0);
        boolean passIsNewer = pass != null && (write == null
                || pass[0] != null && ((Number) pass[0]).longValue() >= ((Number) write[0]).longValue());
        String sanctioned = passIsNewer ? (String) pass[1] : write == null ? null : (String) write[1];
        return version.equals(sanctioned);
    }

    /**
     * Whether QuantGate sanctioned moving this version into this stage: its own latest queued transition of the
     * version (a promotion, allowed or approved, or a revert) goes to exactly that stage, or the MLflow proxy's
     * newest pass of a transition into the stage was for exactly this version. Stages compare ignoring case.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public boolean isSanctionedStage(String model, String version, String stage) {
        List<?> own = em.createNativeQuery("SELECT CAST(write_json AS jsonb) ->> 'stage' FROM mlflow_outbox"
                        + " WHERE model_name = ?1 AND kind = 'transition-stage'"
                        + " AND CAST(write_json AS jsonb) ->> 'version' = ?2 ORDER BY id DESC LIMIT 1")
                .setParameter(1, model).setParameter(2, version).getResultList();
        if (!own.isEmpty() && stage.equalsIgnoreCase((String) own.get(0))) {
            return true;
        }
        List<?> passed = em.createNativeQuery("SELECT version FROM gate_proxy_pass WHERE model_name = ?1"
                        + " AND lower(target) = lower(?2) ORDER BY id DESC LIMIT 1")
                .setParameter(1, model).setParameter(2, new Target(Target.Kind.STAGE, stage).toString())
                .getResultList();
        return !passed.isEmpty() && version.equals(passed.get(0));
    }

    private Long latestOutbox(String model, String alias) {
        List<?> rows = em.createNativeQuery("SELECT max(id) FROM mlflow_outbox WHERE model_name = ?1"
                        + " AND kind IN ('set-alias', 'delete-alias') AND CAST(write_json AS jsonb) ->> 'alias' = ?2")
                .setParameter(1, model).setParameter(2, alias).getResultList();
        return rows.isEmpty() || rows.get(0) == null ? null : ((Number) rows.get(0)).longValue();
    }
}
