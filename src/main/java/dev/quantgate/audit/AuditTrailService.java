package dev.quantgate.audit;

import dev.quantgate.api.Page;
import dev.quantgate.audit.dto.AuditEventView;
import dev.quantgate.audit.dto.VerificationReport;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the audit trail: keyset pages of events, and verification of the whole hash chain. Both
 * seal pending events first, so that every committed event is seen.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class AuditTrailService {

    private static final String COLUMNS = "seq, occurred_at, actor, action, subject, payload, prev_hash, hash, hash_form";
    private static final int VERIFY_FETCH_SIZE = 1000;

    private final AgroalDataSource dataSource;
    private final AuditSealer sealer;

    public AuditTrailService(AgroalDataSource dataSource, AuditSealer sealer) {
        this.dataSource = dataSource;
        this.sealer = sealer;
    }

    /**
     * Events after a sequence number, oldest first, optionally only those whose subject or action
     * starts with a prefix, or with an exact actor.
     */
    public Page<AuditEventView> events(long afterSeq, int limit, String subjectPrefix, String actionPrefix, String actor) {
        sealer.sealAll();
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM audit_event WHERE seq > ?");
        List<String> params = new ArrayList<>();
        if (subjectPrefix != null && !subjectPrefix.isEmpty()) {
            sql.append(" AND subject LIKE ? ESCAPE '\\'");
            params.add(likePrefix(subjectPrefix));
        }
        if (actionPrefix != null && !actionPrefix.isEmpty()) {
            sql.append(" AND action LIKE ? ESCAPE '\\'");
            params.add(likePrefix(actionPrefix));
        }
        if (actor != null && !actor.isEmpty()) {
            sql.append(" AND actor = ?");
            params.add(actor);
        }
        sql.append(" ORDER BY seq LIMIT ?");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setLong(i++, afterSeq);
            for (String p : params) {
                ps.setString(i++, p);
            }
            ps.setInt(i, limit + 1);
            List<AuditEventView> rows = new ArrayList<>(limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(view(rs));
                }
            }
            return Page.of(rows, limit, e -> Long.toString(e.seq()));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the audit trail: " + e.getMessage(), e);
        }
    }

    /**
     * Walks the chain from the first event: sequence numbers must be contiguous from 1, each event's
     * previous hash must be its predecessor's hash, each hash must match the recomputed one, and the
     * chain head must name the last event. Reports the first event where any of this fails.
     */
    public VerificationReport verify() {
        sealer.sealAll();
        return QuarkusTransaction.requiringNew().call(this::walkChain);
    }

    private VerificationReport walkChain() {
        try (Connection c = dataSource.getConnection()) {
            long headSeq;
            String headHash;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_chain_head WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return VerificationReport.broken(0, 1, 0, "The chain head is missing");
                }
                headSeq = rs.getLong(1);
                headHash = rs.getString(2);
            }
            long verified = 0;
            long expectedSeq = 1;
            String expectedPrev = AuditHashing.GENESIS_HASH;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM audit_event WHERE seq <= ? ORDER BY seq")) {
                ps.setFetchSize(VERIFY_FETCH_SIZE);
                ps.setLong(1, headSeq);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        AuditEventView e = view(rs);
                        if (e.seq() != expectedSeq) {
                            return VerificationReport.broken(verified, expectedSeq, headSeq,
                                    "Event " + expectedSeq + " is missing");
                        }
                        if (!e.prevHash().equals(expectedPrev)) {
                            return VerificationReport.broken(verified, e.seq(), headSeq,
                                    "Event " + e.seq() + " does not point to the hash of event " + (e.seq() - 1));
                        }
                        if (!AuditHashing.isKnownForm(e.hashForm())) {
                            return VerificationReport.broken(verified, e.seq(), headSeq,
                                    "Event " + e.seq() + " names an unknown hash form " + e.hashForm());
                        }
                        String recomputed;
                        try {
                            recomputed = AuditHashing.hash(e.hashForm(), e.seq(), e.time(), e.actor(), e.action(),
                                    e.subject(), e.payload(), e.prevHash());
                        } catch (IllegalArgumentException unreadable) {
                            return VerificationReport.broken(verified, e.seq(), headSeq,
                                    "Event " + e.seq() + " was altered: its payload is not canonical JSON");
                        }
                        if (!recomputed.equals(e.hash())) {
                            return VerificationReport.broken(verified, e.seq(), headSeq,
                                    "Event " + e.seq() + " was altered: its content does not match its hash");
                        }
                        verified++;
                        expectedSeq++;
                        expectedPrev = e.hash();
                    }
                }
            }
            if (verified < headSeq) {
                return VerificationReport.broken(verified, expectedSeq, headSeq, "Event " + expectedSeq + " is missing");
            }
            if (!expectedPrev.equals(headHash)) {
                return VerificationReport.broken(verified - 1, headSeq, headSeq,
                        "The chain head does not match event " + headSeq);
            }
            return VerificationReport.intact(verified, headSeq);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot verify the audit trail: " + e.getMessage(), e);
        }
    }

    private static AuditEventView view(ResultSet rs) throws SQLException {
        return new AuditEventView(
                rs.getLong(1),
                AuditHashing.formatTime(rs.getObject(2, OffsetDateTime.class).toInstant()),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                rs.getInt(9));
    }

    private static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
