package dev.quantgate.api;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * PostgreSQL stalled (every server process stopped with SIGSTOP): reads answer 503 with
 * {@code Retry-After} as problem+json within a bound instead of 500 or hanging, readiness answers
 * DOWN within a bound, and after SIGCONT both recover by themselves. This profile's application has
 * its own embedded server (a profile restarts the application and its test resources), so nothing
 * else is stopped.
 */
@QuarkusTest
@TestProfile(DatabaseOutageTest.ShortDatabaseTimeouts.class)
class DatabaseOutageTest {

    private static final Duration ANSWER_BOUND = Duration.ofSeconds(15);

    /** Timeouts shortened so the test waits seconds, not the production 30 s socket timeout. */
    public static class ShortDatabaseTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.jdbc.additional-jdbc-properties.socketTimeout", "3",
                    "quarkus.datasource.jdbc.acquisition-timeout", "2s",
                    "quarkus.datasource.jdbc.login-timeout", "2s",
                    "quarkus.datasource.jdbc.validation-query-timeout", "1s");
        }
    }

    @Test
    void shouldAnswer503WithRetryAfterAndReadinessDownWhileTheDatabaseIsStalledThenRecover() throws Exception {
        Assumptions.assumeTrue(System.getenv("QUANTGATE_TEST_DB_URL") == null,
                "stops the embedded test server; an external QUANTGATE_TEST_DB_URL server is not ours to stop");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models").then().statusCode(200);
        RestAssured.given().get("/q/health/ready").then().statusCode(200);
        List<Long> pids = postgresProcesses();

        signal("STOP", pids);
        try {
            long start = System.nanoTime();
            Response read = TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            read.then().statusCode(503).contentType(Problem.MEDIA_TYPE)
                    .body("code", equalTo("DATABASE_UNAVAILABLE"))
                    .body("detail", containsString("try again"));
            assertEquals(Integer.toString(DatabaseFailures.RETRY_AFTER_SECONDS), read.header("Retry-After"));
            assertFalse(read.asString().contains("Exception") || read.asString().contains("SQL"), read.asString());
            assertTrue(took.compareTo(ANSWER_BOUND) < 0, "503 took " + took);

            start = System.nanoTime();
            Response ready = RestAssured.given().get("/q/health/ready");
            took = Duration.ofNanos(System.nanoTime() - start);
            ready.then().statusCode(503).body("status", equalTo("DOWN"));
            assertTrue(took.compareTo(ANSWER_BOUND) < 0, "readiness took " + took);
        } finally {
            signal("CONT", pids);
        }

        awaitStatus("/q/health/ready", 200, Duration.ofSeconds(60));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                fail("reads did not recover within 60 s after SIGCONT");
            }
            pause();
        }
    }

    /** The embedded postmaster serving this application's JDBC URL, and all its children. */
    private static List<Long> postgresProcesses() {
        String url = ConfigProvider.getConfig().getValue("quantgate.db.url", String.class);
        Matcher port = Pattern.compile("//[^:/]+:(\\d+)/").matcher(url);
        assertTrue(port.find(), "no port in " + url);
        String portArg = port.group(1);
        ProcessHandle postmaster = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(p -> {
                    List<String> args = Arrays.asList(p.info().arguments().orElse(new String[0]));
                    int i = args.indexOf("-p");
                    return i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(portArg);
                })
                .findFirst().orElse(null);
        assertNotNull(postmaster, "no postgres process listens on port " + portArg);
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster.pid());
        postmaster.descendants().forEach(p -> pids.add(p.pid()));
        assertTrue(pids.size() > 1, "the postmaster has no backends: " + pids);
        return pids;
    }

    private static void signal(String signal, List<Long> pids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        Process kill = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pids);
    }

    private static void awaitStatus(String path, int status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (RestAssured.given().get(path).statusCode() != status) {
            if (System.nanoTime() > deadline) {
                fail(path + " did not answer " + status + " within " + timeout.toSeconds() + " s");
            }
            pause();
        }
    }

    /** The gap between two polls of a bounded wait (not a synchronisation). */
    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
