package dev.quantgate.evidence;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.evidence.dto.EvidenceSummary;
import dev.quantgate.kernel.json.Jcs;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Evidence records, content-addressed: the key is the SHA-256 of the content's canonical JSON (RFC 8785,
 * {@link Jcs}), so the same content is stored once and a record can never say something else under its key.
 * Insert-only (a trigger refuses changes and deletes; the variant version alone is filled in once, later).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class EvidenceStore {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String COLUMNS = "sha256, job_id, model_name, source_version, scheme, spec_sha256,"
            + " policy_sha256, variant_version, recorded_at, seq";

    private final EntityManager em;
    private final Clock clock;

    public EvidenceStore(EntityManager em, Clock clock) {
        this.em = em;
        this.clock = clock;
    }

    /** Stores the content (once: the same content again changes nothing) and answers its SHA-256. */
    public String put(Map<String, ?> content, EvidenceIndex index) {
        String canonical = Jcs.write(content);
        String sha256 = sha256(canonical);
        em.createNativeQuery("INSERT INTO evidence (sha256, canonical_json, content, job_id, model_name, source_version,"
                        + " scheme, spec_sha256, policy_sha256, recorded_at)"
                        + " VALUES (?1, ?2, CAST(?2 AS jsonb), ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (sha256) DO NOTHING")
                .setParameter(1, sha256).setParameter(2, canonical).setParameter(3, index.jobId())
                .setParameter(4, index.model()).setParameter(5, index.sourceVersion()).setParameter(6, index.scheme())
                .setParameter(7, index.specSha256()).setParameter(8, index.policySha256())
                .setParameter(9, clock.instant().truncatedTo(ChronoUnit.MICROS))
                .executeUpdate();
        return sha256;
    }

    /** Records the MLflow version the evidence's variant was registered as (once). */
    public void recordVariantVersion(String sha256, int variantVersion) {
        em.createNativeQuery("UPDATE evidence SET variant_version = ?1 WHERE sha256 = ?2 AND variant_version IS NULL")
                .setParameter(1, variantVersion).setParameter(2, sha256).executeUpdate();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public StoredEvidence get(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "sha256 must be 64 lower-case hexadecimal digits, was '"
                    + shown(sha256) + "'");
        }
        List<?> rows = em.createNativeQuery("SELECT " + COLUMNS + ", canonical_json FROM evidence WHERE sha256 = ?1")
                .setParameter(1, sha256).getResultList();
        if (rows.isEmpty()) {
            throw new ApiException(ErrorCode.EVIDENCE_NOT_FOUND, "No evidence record has SHA-256 " + sha256);
        }
        Object[] row = (Object[]) rows.get(0);
        return new StoredEvidence((String) row[10], summary(row));
    }

    /** A source version's evidence, newest first, keyset-paged on the insertion order. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<EvidenceSummary> forVersion(String model, int version, String after, int limit) {
        long cursor = after == null || after.isBlank() ? Long.MAX_VALUE : Page.longCursor(after);
        List<?> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM evidence WHERE model_name = ?1"
                        + " AND source_version = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT ?4")
                .setParameter(1, model).setParameter(2, version).setParameter(3, cursor).setParameter(4, limit + 1)
                .getResultList();
        List<Object[]> all = rows.stream().map(r -> (Object[]) r).toList();
        Page<Object[]> page = Page.of(all, limit, r -> String.valueOf(((Number) r[9]).longValue()));
        return new Page<>(page.items().stream().map(EvidenceStore::summary).toList(), page.next());
    }

    /** The newest evidence recorded for a variant once MLflow registered it as this version, if any. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<StoredEvidence> forVariant(String model, int variantVersion) {
        List<?> rows = em.createNativeQuery("SELECT " + COLUMNS + ", canonical_json FROM evidence WHERE model_name = ?1"
                        + " AND variant_version = ?2 ORDER BY seq DESC LIMIT 1")
                .setParameter(1, model).setParameter(2, variantVersion).getResultList();
        return rows.stream().map(r -> (Object[]) r).map(r -> new StoredEvidence((String) r[10], summary(r))).findFirst();
    }

    /** The evidence of one job, oldest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<String> forJob(long jobId) {
        return em.createNativeQuery("SELECT sha256 FROM evidence WHERE job_id = ?1 ORDER BY seq", String.class)
                .setParameter(1, jobId).getResultList().stream().map(String.class::cast).toList();
    }

    /** Lower-case hex SHA-256 of the text's UTF-8 bytes. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String href(String sha256) {
        return "/api/v1/evidence/" + sha256;
    }

    private static EvidenceSummary summary(Object[] r) {
        String sha = (String) r[0];
        return new EvidenceSummary(sha, ((Number) r[1]).longValue(), (String) r[2], ((Number) r[3]).intValue(),
                (String) r[4], (String) r[5], (String) r[6], r[7] == null ? null : ((Number) r[7]).intValue(),
                instant(r[8]), href(sha));
    }

    /** A timestamp column value as JDBC or Hibernate hands it back. */
    public static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        return value == null ? null : Instant.parse(value.toString());
    }

    private static String shown(String value) {
        return value == null ? "" : value.length() <= 70 ? value : value.substring(0, 70) + "...";
    }
}
