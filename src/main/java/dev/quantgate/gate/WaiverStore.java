package dev.quantgate.gate;

import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.policy.rules.Candidate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Waivers of one rule for one model version: granted until they expire, or revoked. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class WaiverStore {

    private final EntityManager em;

    public WaiverStore(EntityManager em) {
        this.em = em;
    }

    /** The version's waivers not revoked, expired ones included (the judge ignores them at its time). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Candidate.Waiver> inForce(String model, String version) {
        List<?> rows = em.createNativeQuery("SELECT id, rule_id, expires_at FROM gate_waiver WHERE model_name = ?1"
                        + " AND version = ?2 AND revoked_at IS NULL ORDER BY seq")
                .setParameter(1, model).setParameter(2, version).getResultList();
        return rows.stream().map(r -> (Object[]) r)
                .map(r -> new Candidate.Waiver(r[0].toString(), (String) r[1], EvidenceStore.instant(r[2]))).toList();
    }

    public UUID grant(String model, String version, String rule, String reason, Instant expiresAt, String by, Instant now) {
        UUID id = UUID.randomUUID();
        em.createNativeQuery("INSERT INTO gate_waiver (id, model_name, version, rule_id, reason, created_by, created_at,"
                        + " expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .setParameter(1, id).setParameter(2, model).setParameter(3, version).setParameter(4, rule)
                .setParameter(5, reason).setParameter(6, by).setParameter(7, now).setParameter(8, expiresAt)
                .executeUpdate();
        return id;
    }

    /** Revokes a waiver not yet revoked; answers whether one was. */
    public boolean revoke(UUID id, String by, Instant now) {
        return em.createNativeQuery("UPDATE gate_waiver SET revoked_at = ?1, revoked_by = ?2 WHERE id = ?3"
                        + " AND revoked_at IS NULL")
                .setParameter(1, now).setParameter(2, by).setParameter(3, id).executeUpdate() == 1;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<Row> get(UUID id) {
        return rows("id = ?1", id).stream().findFirst();
    }

    /** A model's waivers (of one version when {@code version} is not null), oldest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Row> list(String model, String version) {
        return version == null ? rows("model_name = ?1", model) : rows("model_name = ?1 AND version = ?2", model, version);
    }

    private List<Row> rows(String where, Object... params) {
        var q = em.createNativeQuery("SELECT id, model_name, version, rule_id, reason, created_by, created_at, expires_at,"
                + " revoked_at, revoked_by FROM gate_waiver WHERE " + where + " ORDER BY seq");
        for (int i = 0; i < params.length; i++) {
            q.setParameter(i + 1, params[i]);
        }
        List<?> rows = q.getResultList();
        return rows.stream().map(r -> (Object[]) r).map(r -> new Row((UUID) r[0], (String) r[1], (String) r[2], (String) r[3],
                (String) r[4], (String) r[5], EvidenceStore.instant(r[6]), EvidenceStore.instant(r[7]),
                EvidenceStore.instant(r[8]), (String) r[9])).toList();
    }

    /** A waiver as stored. */
    public record Row(UUID id, String model, String version, String rule, String reason, String createdBy,
                      Instant createdAt, Instant expiresAt, Instant revokedAt, String revokedBy) {
    }
}
