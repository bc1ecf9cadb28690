package dev.quantgate.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A data directory made by an earlier version (trust, everything owned by the superuser) is converted on its first start. */
class EmbeddedDatabaseUpgradeTest {

    private Path dir;

    @AfterEach
    void cleanUp() throws Exception {
        if (dir != null) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void shouldHandAPreSplitSchemaToTheOwnerRoleAndRequirePasswordsFromThenOn() throws Exception {
        dir = Files.createTempDirectory("quantgate-upgrade-pg");
        // As the earlier version left it: trust authentication, the schema owned by the superuser.
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start();
             Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE legacy (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note TEXT)");
            s.execute("CREATE FUNCTION legacy_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$");
            s.execute("CREATE TRIGGER legacy_guard BEFORE UPDATE ON legacy FOR EACH ROW EXECUTE FUNCTION legacy_guard()");
            s.execute("INSERT INTO legacy (note) VALUES ('kept')");
        }

        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            assertOwnerCanAlterAndAppCannot(db);
        }
        // The second start reads the stored passwords; trust is gone for good.
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            assertOwnerCanAlterAndAppCannot(db);
            SQLException e = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(db.jdbcUrl(), "postgres", "").close());
            assertTrue(e.getMessage().contains("password"), e.getMessage());
        }
    }

    private static void assertOwnerCanAlterAndAppCannot(EmbeddedDatabase db) throws SQLException {
        try (Connection owner = DriverManager.getConnection(db.jdbcUrl(), DatabaseRoles.OWNER, db.secrets().ownerPassword());
             Statement s = owner.createStatement()) {
            s.execute("ALTER TABLE legacy DISABLE TRIGGER legacy_guard");
            s.execute("ALTER TABLE legacy ENABLE TRIGGER legacy_guard");
            try (ResultSet rs = s.executeQuery("SELECT tableowner FROM pg_tables WHERE tablename = 'legacy'")) {
                rs.next();
                assertEquals(DatabaseRoles.OWNER, rs.getString(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT note FROM legacy")) {
                rs.next();
                assertEquals("kept", rs.getString(1));
            }
        }
        try (Connection app = DriverManager.getConnection(db.jdbcUrl(), DatabaseRoles.APP, db.secrets().appPassword());
             Statement s = app.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("ALTER TABLE legacy DISABLE TRIGGER ALL"));
            assertTrue(e.getMessage().contains("must be owner"), e.getMessage());
        }
    }
}
