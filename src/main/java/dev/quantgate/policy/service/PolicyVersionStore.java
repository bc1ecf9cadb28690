package dev.quantgate.policy.service;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.policy.PolicyVersion;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Policy versions in PostgreSQL, by hash: stored once (concurrent processes may race; one row wins), read by name. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class PolicyVersionStore {

    static final String ACTOR = "policy-loader";

    private final EntityManager em;
    private final AuditLog audit;
    private final Clock clock;

    public PolicyVersionStore(EntityManager em, AuditLog audit, Clock clock) {
        this.em = em;
        this.audit = audit;
        this.clock = clock;
    }

    /** Stores the version unless a row with its hash exists; a new row is audited in the same transaction. */
    public boolean store(PolicyVersion v) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        int inserted = em.createNativeQuery("""
                        INSERT INTO policy_version (sha256, name, file, source_text, canonical_json, loaded_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (sha256) DO NOTHING""")
                .setParameter(1, v.sha256()).setParameter(2, v.name()).setParameter(3, v.file())
                .setParameter(4, v.text()).setParameter(5, v.canonicalJson()).setParameter(6, now)
                .executeUpdate();
        if (inserted == 1) {
            audit.append(ACTOR, "policy.version.stored", "policy:" + v.name(),
                    Map.of("sha256", v.sha256(), "file", v.file()));
        }
        return inserted == 1;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<PolicyVersionEntity> versions(String name) {
        return PolicyVersionEntity.<PolicyVersionEntity>find("name", Sort.descending("loadedAt").and("sha256"), name).list();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<PolicyVersionEntity> version(String name, String sha256) {
        return PolicyVersionEntity.<PolicyVersionEntity>findByIdOptional(sha256).filter(v -> v.name.equals(name));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<Instant> loadedAt(String sha256) {
        return PolicyVersionEntity.<PolicyVersionEntity>findByIdOptional(sha256).map(v -> v.loadedAt);
    }
}
