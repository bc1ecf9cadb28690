package dev.quantgate.mlflow.webhook;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.mlflow.webhook.dto.DeliveryView;
import io.agroal.api.AgroalDataSource;
import dev.quantgate.kernel.AfterCommit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads the webhook inbox, and releases parked deliveries for another round of attempts. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class DeliveryService {

    /** The statuses a delivery can have, as the API filters on them. */
    public static final Set<String> STATUSES = Set.of("pending", "retrying", "processed", "ignored", "parked", "rejected");

    private static final String COLUMNS = "id, delivery_id, entity, action, model_name, status, attempts, signed_at,"
            + " received_at, next_attempt_at, processed_at, last_error, mirror_changes";
    private static final String RELEASE = "UPDATE webhook_delivery SET status = 'pending', attempts = 0,"
            + " next_attempt_at = NULL, claim_token = NULL, claimed_until = NULL, last_error = NULL"
            + " WHERE delivery_id = ? AND status = 'parked'";

    private final AgroalDataSource dataSource;
    private final AfterCommit afterCommit;
    private final InboxProcessor processor;

    public DeliveryService(AgroalDataSource dataSource, AfterCommit afterCommit, InboxProcessor processor) {
        this.dataSource = dataSource;
        this.afterCommit = afterCommit;
        this.processor = processor;
    }

    /** Deliveries in arrival order after a cursor, optionally with one status. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<DeliveryView> list(String status, String after, int limit) {
        if (status != null && !status.isBlank() && !STATUSES.contains(status)) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED,
                    "status must be one of " + String.join(", ", STATUSES.stream().sorted().toList()) + ", was '" + status + "'");
        }
        boolean filtered = status != null && !status.isBlank();
        String sql = "SELECT " + COLUMNS + " FROM webhook_delivery WHERE id > ?"
                + (filtered ? " AND status = ?" : "") + " ORDER BY id LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setLong(i++, Page.longCursor(after));
            if (filtered) {
                ps.setString(i++, status);
            }
            ps.setInt(i, limit + 1);
            List<DeliveryView> rows = new ArrayList<>(limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(view(rs, null));
                }
            }
            return Page.of(rows, limit, d -> Long.toString(d.seq()));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the webhook inbox: " + e.getMessage(), e);
        }
    }

    /** One delivery with its body. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public DeliveryView get(String deliveryId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", body FROM webhook_delivery WHERE delivery_id = ?")) {
            ps.setString(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw notFound(deliveryId);
                }
                return view(rs, rs.getString("body"));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the webhook inbox: " + e.getMessage(), e);
        }
    }

    /** Puts a parked delivery back in line with a fresh count of attempts. */
    public DeliveryView retry(String deliveryId) {
        int released;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(RELEASE)) {
            ps.setString(1, deliveryId);
            released = ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot release delivery " + deliveryId + ": " + e.getMessage(), e);
        }
        DeliveryView current = get(deliveryId);
        if (released == 0) {
            throw new ApiException(ErrorCode.CONFLICT, "Only a parked delivery can be retried; delivery " + deliveryId
                    + " is " + current.status());
        }
        afterCommit.run(processor::wake);
        return current;
    }

    private static ApiException notFound(String deliveryId) {
        return new ApiException(ErrorCode.NOT_FOUND, "No MLflow delivery has id " + deliveryId);
    }

    private static DeliveryView view(ResultSet rs, String body) throws SQLException {
        long signedAt = rs.getLong("signed_at");
        Instant signed = rs.wasNull() ? null : Instant.ofEpochSecond(signedAt);
        int changes = rs.getInt("mirror_changes");
        Integer mirrorChanges = rs.wasNull() ? null : changes;
        return new DeliveryView(rs.getString("delivery_id"), rs.getLong("id"), rs.getString("entity"),
                rs.getString("action"), rs.getString("model_name"), rs.getString("status"), rs.getInt("attempts"),
                signed, instant(rs, "received_at"), instant(rs, "next_attempt_at"), instant(rs, "processed_at"),
                rs.getString("last_error"), mirrorChanges, body);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
