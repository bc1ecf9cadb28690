package dev.quantgate.kernel;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The two statements every claiming queue runs: take one due row under a {@link Lease}, and find
 * when the next row is due. Plain JDBC on the caller's connection (or transaction).
 */
public final class Claims {

    /** Reads a claimed row. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs, Lease lease) throws SQLException;
    }

    private Claims() {
    }

    /**
     * The claiming statement for a queue table with {@code id}, {@code claim_token} and
     * {@code claimed_until} columns: it claims the lowest-id row (alias {@code q}) that meets
     * {@code head}, is {@code due} (a condition with one parameter, "now") and is not claimed by
     * anyone else, skipping rows other transactions hold. Its parameters are those of {@link Lease#bindClaim}.
     *
     * @param alsoSet  further assignments, e.g. {@code ", attempts = attempts + 1"}, or {@code ""}
     * @param returning the columns to return
     */
    public static String claimStatement(String table, String alsoSet, String head, String due, String returning) {
        return "UPDATE " + table + " SET claim_token = ?, claimed_until = ?" + alsoSet
                + " WHERE id = (SELECT q.id FROM " + table + " q WHERE " + head + " AND " + due
                + " AND (q.claimed_until IS NULL OR q.claimed_until <= ?)"
                + " ORDER BY q.id LIMIT 1 FOR UPDATE OF q SKIP LOCKED) RETURNING " + returning;
    }

    /**
     * The statement for {@link #nextDue}: the earliest time a row meeting {@code head} (alias
     * {@code q}) is due, by {@code dueAt}, or later when someone's claim on it lasts longer.
     */
    public static String nextDueStatement(String table, String head, String dueAt) {
        return "SELECT min(GREATEST(" + dueAt + ", q.claimed_until)) FROM " + table + " q WHERE " + head;
    }

    /**
     * Runs a claiming {@code UPDATE ... RETURNING} whose first four parameters {@link Lease#bindClaim}
     * sets, and reads the row it claimed.
     *
     * @return the claimed row, or {@code null} when none was due
     */
    public static <T> T claimOne(DataSource dataSource, String sql, Lease lease, Row<T> row) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement claim = c.prepareStatement(sql)) {
            lease.bindClaim(claim);
            try (ResultSet rs = claim.executeQuery()) {
                return rs.next() ? row.read(rs, lease) : null;
            }
        }
    }

    /**
     * Runs a query whose one column is the time the next row is due ({@code null}: none), with
     * these timestamps as its parameters.
     */
    public static Instant nextDue(DataSource dataSource, String sql, Instant... parameters) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, Lease.utc(parameters[i]));
            }
            try (ResultSet rs = select.executeQuery()) {
                OffsetDateTime at = rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
                return at == null ? null : at.toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read when the next queued task is due", e);
        }
    }
}
