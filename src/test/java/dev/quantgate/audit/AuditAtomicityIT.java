package dev.quantgate.audit;

import dev.quantgate.testing.Await;
import dev.quantgate.testing.PackagedApp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIGKILL while audited writes (token creations) run concurrently, then restart on the same data
 * directory: every committed write has exactly its audit event and every event its write, and the
 * chain verifies. Runs the packaged application in its own JVM with its own embedded PostgreSQL.
 */
class AuditAtomicityIT {

    private static final int WRITERS = 8;
    private static final int KILL_AFTER = 120;
    private static final String ADMIN = "audit-crash-admin-token-0123456789";
    private static final String PREFIX = "crash-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Path work;
    private Process app;
    private int port;

    @Test
    void shouldKeepEveryCommittedWriteAndItsAuditEventTogetherAcrossASigkill() throws Exception {
        Path jar = Path.of(System.getProperty("quantgate.app.jar", "target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.isRegularFile(jar), "the packaged application is needed: " + jar + " (mvn package)");
        work = Files.createTempDirectory("quantgate-audit-crash");
        Path dataDir = work.resolve("pg");
        port = PackagedApp.freePort();
        app = start(jar, dataDir, work.resolve("run-1.log"));

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        for (int w = 0; w < WRITERS; w++) {
            writers.submit(() -> {
                while (true) {
                    String name = PREFIX + next.getAndIncrement();
                    int status = create(name);
                    if (status == 201) {
                        acknowledged.add(name);
                    } else if (status != -1 && status < 500) {
                        unexpected.add(name + " answered " + status);
                    }
                    if (status == -1) {
                        return; // the process is gone
                    }
                }
            });
        }
        Await.until(() -> acknowledged.size() >= KILL_AFTER, Duration.ofSeconds(180), KILL_AFTER + " acknowledged writes");
        app.destroyForcibly(); // SIGKILL, writes in flight
        app.waitFor(30, TimeUnit.SECONDS);
        writers.shutdown();
        assertTrue(writers.awaitTermination(60, TimeUnit.SECONDS), "writers stop once the process is gone");
        int attempted = next.get();
        assertEquals(List.of(), unexpected, "only server failures or the kill may stop a write");

        app = start(jar, dataDir, work.resolve("run-2.log"));
        Set<String> tokens = tokenNames();
        List<String> successes = auditSubjects("success");
        List<String> failures = auditSubjects("failure");

        assertTrue(tokens.containsAll(acknowledged), "every acknowledged write survives the kill");
        assertEquals(successes.size(), new HashSet<>(successes).size(), "no write has two events: " + successes);
        assertEquals(tokens, new HashSet<>(successes), "each committed write has exactly its event, and vice versa");
        assertEquals(List.of(), failures, "nothing was refused");
        assertTrue(tokens.size() < attempted, "the kill interrupted writes (" + tokens.size() + " of " + attempted + ")");
        JsonNode verify = get("/api/v1/audit/verify");
        assertTrue(verify.get("intact").asBoolean(), verify.toString());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (app != null && app.isAlive()) {
            app.destroy();
            app.waitFor(60, TimeUnit.SECONDS);
        }
        if (work != null) {
            PackagedApp.stopOrphanPostgres(work.resolve("pg"));
            try (var paths = Files.walk(work)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private int create(String name) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/admin/tokens"))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"roles\":[\"auditor\"]}"))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private Set<String> tokenNames() throws Exception {
        Set<String> names = new HashSet<>();
        String after = "";
        do {
            JsonNode page = get("/api/v1/admin/tokens?includeRevoked=true&limit=500&after=" + after);
            page.get("items").forEach(t -> {
                if (t.get("name").asText().startsWith(PREFIX)) {
                    names.add(t.get("name").asText());
                }
            });
            after = page.get("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        return names;
    }

    private List<String> auditSubjects(String outcome) throws Exception {
        List<String> names = new ArrayList<>();
        String after = "";
        do {
            JsonNode page = get("/api/v1/audit/events?action=token.create&subject=token:" + PREFIX
                    + "&limit=500&after=" + after);
            page.get("items").forEach(e -> {
                if (e.get("payload").get("outcome").asText().equals(outcome)) {
                    names.add(e.get("subject").asText().substring("token:".length()));
                }
            });
            after = page.get("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        return names;
    }

    private Process start(Path jar, Path dataDir, Path log) throws Exception {
        return PackagedApp.start(jar, dataDir, port, log,
                "quantgate.security.admin-token=" + ADMIN);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private int status(String path) {
        return PackagedApp.status("http://127.0.0.1:" + port + path);
    }
}
