package dev.quantgate.db;

import dev.quantgate.testing.Await;
import dev.quantgate.testing.PackagedApp;
import dev.quantgate.api.Roles;
import dev.quantgate.testing.PostgresTestResource;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The embedded server under real failure: its postmaster SIGKILLed, the service recovers by itself. */
@QuarkusTest
class EmbeddedDatabaseRecoveryTest {

    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(60);

    @Test
    void shouldRestartAKilledPostmasterAndServeReadsAgainWithinABound() {
        EmbeddedDatabase db = PostgresTestResource.embedded();
        assumeTrue(db != null, "QUANTGATE_TEST_DB_URL names an external server: there is no embedded one to kill");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/audit/events?limit=1").then().statusCode(200);
        long restartsBefore = db.restarts();
        long pid = db.postmasterPid().orElseThrow();
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();

        assertTrue(postmaster.destroyForcibly(), "SIGKILL could not be sent to the postmaster " + pid);
        Await.until(() -> !postmaster.isAlive(), Duration.ofSeconds(10), "the postmaster to die");

        Await.until(() -> db.restarts() > restartsBefore, RECOVERY_BOUND, "the watchdog to restart PostgreSQL");
        Await.until(() -> RestAssured.get("/q/health/ready").statusCode() == 200, RECOVERY_BOUND, "readiness to be UP again");
        Await.until(() -> TestTokens.as(Roles.AUDITOR).get("/api/v1/audit/events?limit=1").statusCode() == 200,
                RECOVERY_BOUND, "reads to succeed again");
        RestAssured.get("/q/health/ready").then().statusCode(200);
        long newPid = db.postmasterPid().orElseThrow();
        assertNotEquals(pid, newPid);
        assertTrue(ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void shouldKeepTheSecretsPrivateAndTheSocketInsideTheDataDirectory() throws Exception {
        EmbeddedDatabase db = PostgresTestResource.embedded();
        assumeTrue(db != null, "QUANTGATE_TEST_DB_URL names an external server: there is no embedded one to inspect");
        Path secrets = db.dataDir().resolve(DatabaseSecrets.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)));
        assertNotNull(DatabaseSecrets.read(db.dataDir()).orElseThrow().appPassword());
        assertTrue(Files.exists(db.dataDir().resolve(".s.PGSQL." + db.port())), "socket in the data directory");
        assertFalse(Files.exists(Path.of("/tmp/.s.PGSQL." + db.port())), "no socket in /tmp");
        String hba = Files.readString(db.dataDir().resolve("pg_hba.conf"));
        assertFalse(hba.contains("trust"), hba);
        assertTrue(hba.contains("scram-sha-256"), hba);
    }

    @Test
    void shouldRefuseConnectionsWithoutThePassword() {
        EmbeddedDatabase db = PostgresTestResource.embedded();
        assumeTrue(db != null, "QUANTGATE_TEST_DB_URL names an external server");
        for (String user : new String[] {"postgres", DatabaseRoles.APP, DatabaseRoles.OWNER}) {
            SQLException e = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(db.jdbcUrl(), user, "wrong").close(), user);
            assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
        }
    }
}
