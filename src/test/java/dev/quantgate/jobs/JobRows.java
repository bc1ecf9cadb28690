package dev.quantgate.jobs;

import dev.quantgate.testing.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** Job rows written straight into the database, for tests that need a job in some state without a worker. */
public final class JobRows {

    private JobRows() {
    }

    /** A job of this model version in {@code state}, leased under {@code token} (null: not leased); answers its id. */
    public static long insert(String model, int version, String state, String token) {
        String sql = "INSERT INTO quantization_job (model_name, version, scheme, spec_json, spec_sha256, policy_name,"
                + " policy_sha256, requirement, state, attempts, next_attempt_at, claim_token, claimed_until, run_id,"
                + " created_at, updated_at) SELECT ?, ?, 'int8-dynamic', '{}', ?, name, sha256, 'cpu', ?, 1, now(), ?,"
                + " CASE WHEN ? IS NULL THEN NULL ELSE now() + interval '1 day' END, 'run-rows', now(), now()"
                + " FROM policy_version ORDER BY loaded_at LIMIT 1 RETURNING id";
        try (Connection c = TestDatabase.app(); PreparedStatement insert = c.prepareStatement(sql)) {
            insert.setString(1, model);
            insert.setInt(2, version);
            insert.setString(3, (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", ""));
            insert.setString(4, state);
            insert.setString(5, token);
            insert.setString(6, token);
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot insert a job row", e);
        }
    }

    /** Ends every unfinished job (other tests' leftovers must not be leased by the next test). */
    public static void finishAll() {
        try (Connection c = TestDatabase.app(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE quantization_job SET state = 'failed', claim_token = NULL, claimed_until = NULL"
                    + " WHERE state IN ('preparing', 'queued', 'leased', 'running')");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot finish leftover jobs", e);
        }
    }
}
