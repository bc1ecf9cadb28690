package dev.quantgate.testing;

import dev.quantgate.db.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * A real PostgreSQL for {@code @QuarkusTest}s: a fresh database on the server named by
 * {@code QUANTGATE_TEST_DB_URL} (e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}), or else
 * an embedded server in a temporary directory. Never H2, never a mock.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgres embedded;

    @Override
    public Map<String, String> start() {
        String external = System.getenv("QUANTGATE_TEST_DB_URL");
        if (external != null && !external.isBlank()) {
            return freshDatabaseOn(external);
        }
        try {
            embedded = EmbeddedDatabase.start(Files.createTempDirectory("quantgate-test-pg"), true);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a data directory for the test database", e);
        }
        return Map.of(
                "quantgate.db.url", embedded.getJdbcUrl("postgres", "postgres"),
                "quantgate.db.user", "postgres",
                "quantgate.db.password", "");
    }

    private static Map<String, String> freshDatabaseOn(String serverUrl) {
        String user = System.getenv().getOrDefault("QUANTGATE_TEST_DB_USER", "postgres");
        String password = System.getenv().getOrDefault("QUANTGATE_TEST_DB_PASSWORD", "");
        String name = "quantgate_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(serverUrl, user, password);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database on " + serverUrl + ": " + e.getMessage(), e);
        }
        String base = serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1);
        return Map.of("quantgate.db.url", base + name, "quantgate.db.user", user, "quantgate.db.password", password);
    }

    @Override
    public void stop() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
