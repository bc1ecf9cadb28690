package dev.quantgate.testing;

import dev.quantgate.db.DatabaseRoles;
import dev.quantgate.db.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for {@code @QuarkusTest}s, with the production role split: the service connects as
 * the application role, Flyway as the owner role. Either a fresh database on the server named by
 * {@code QUANTGATE_TEST_DB_URL} (e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}, where the roles
 * are created if absent), or else an embedded server in a temporary directory. Never H2, never a mock.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    /** The password of both roles on an external test server (which trusts its local connections). */
    private static final String EXTERNAL_ROLE_PASSWORD = "quantgate-test";

    private static volatile EmbeddedDatabase embedded;
    private Path dataDir;

    /** The embedded server of the running tests, when they use one (for tests that kill it). */
    public static EmbeddedDatabase embedded() {
        return embedded;
    }

    @Override
    public Map<String, String> start() {
        String external = System.getenv("QUANTGATE_TEST_DB_URL");
        if (external != null && !external.isBlank()) {
            return freshDatabaseOn(external);
        }
        try {
            dataDir = Files.createTempDirectory("quantgate-test-pg");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a data directory for the test database", e);
        }
        embedded = EmbeddedDatabase.start(dataDir);
        return Map.of(
                "quantgate.db.url", embedded.jdbcUrl(),
                "quantgate.db.user", DatabaseRoles.APP,
                "quantgate.db.password", embedded.secrets().appPassword(),
                "quantgate.db.owner-user", DatabaseRoles.OWNER,
                "quantgate.db.owner-password", embedded.secrets().ownerPassword());
    }

    private static Map<String, String> freshDatabaseOn(String serverUrl) {
        String user = System.getenv().getOrDefault("QUANTGATE_TEST_DB_USER", "postgres");
        String password = System.getenv().getOrDefault("QUANTGATE_TEST_DB_PASSWORD", "");
        String name = "quantgate_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection(serverUrl, user, password);
             Statement s = c.createStatement()) {
            DatabaseRoles.ensureRoles(c, EXTERNAL_ROLE_PASSWORD, EXTERNAL_ROLE_PASSWORD);
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database on " + serverUrl + ": " + e.getMessage(), e);
        }
        try (Connection c = DriverManager.getConnection(base + name, user, password)) {
            DatabaseRoles.ensureOwnership(c);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot hand test database " + name + " to the owner role: " + e.getMessage(), e);
        }
        return Map.of("quantgate.db.url", base + name,
                "quantgate.db.user", DatabaseRoles.APP, "quantgate.db.password", EXTERNAL_ROLE_PASSWORD,
                "quantgate.db.owner-user", DatabaseRoles.OWNER, "quantgate.db.owner-password", EXTERNAL_ROLE_PASSWORD);
    }

    @Override
    public void stop() {
        if (embedded != null) {
            embedded.close();
            embedded = null;
        }
        if (dataDir != null) {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
