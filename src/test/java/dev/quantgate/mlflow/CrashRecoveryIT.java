package dev.quantgate.mlflow;

import dev.quantgate.testing.Await;
import dev.quantgate.testing.PackagedApp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.mlflow.webhook.SignatureVerifier;
import dev.quantgate.testing.FakeMlflow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIGKILL in the middle of receiving and processing, then restart on the same data directory:
 * every delivery is processed exactly once. Runs the packaged application
 * ({@code target/quarkus-app/quarkus-run.jar}) in its own JVM with its own embedded PostgreSQL.
 *
 * <p>The sender behaves like MLflow: a delivery that got no 2xx answer (refused connection, reset
 * by the kill) is sent again, identical, after the restart.
 */
class CrashRecoveryIT {

    private static final int N = 600;
    private static final int MODELS = 6;
    private static final int BURST = 300;
    private static final int BACKLOG = 30;
    private static final String SECRET = "crash-test-webhook-secret";
    private static final String ADMIN = "crash-test-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Path work;
    private Process app;
    private FakeMlflow mlflow;
    private int port;

    private record Delivery(String id, String timestamp, byte[] body, String signature) {
    }

    @Test
    void shouldProcessEveryDeliveryExactlyOnceAcrossASigkill() throws Exception {
        Path jar = Path.of(System.getProperty("quantgate.app.jar", "target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.isRegularFile(jar), "the packaged application is needed: " + jar + " (mvn package)");
        work = Files.createTempDirectory("quantgate-crash");
        Path dataDir = work.resolve("pg");
        port = PackagedApp.freePort();
        List<Delivery> deliveries = deliveries();
        // The mirror completes each event by reading MLflow: a fake MLflow answering with the recorded shapes
        mlflow = new FakeMlflow();
        mlflow.start();
        for (int m = 0; m < MODELS; m++) {
            mlflow.createVersion("crash-model-" + m, "run" + m);
        }

        app = start(jar, dataDir, work.resolve("run-1.log"));
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        // A burst (ingestion outruns processing, so a backlog builds), then a steady 25 deliveries/s like a
        // busy MLflow: the kill lands with processing under way and a backlog in the inbox, whatever the
        // machine's speed.
        Thread feeder = new Thread(() -> {
            try {
                int sent = 0;
                for (Delivery d : deliveries) {
                    senders.submit(() -> {
                        if (send(d)) {
                            acknowledged.add(d.id());
                        }
                    });
                    if (++sent > BURST) {
                        Thread.sleep(40);
                    }
                }
            } catch (InterruptedException | java.util.concurrent.RejectedExecutionException e) {
                // the app was killed: the rest is sent after the restart
            }
        }, "crash-test-feeder");
        feeder.start();
        Await.until(() -> {
            int processed = countStatus("processed");
            return processed > 0 && acknowledged.size() - processed >= BACKLOG;
        }, Duration.ofSeconds(90), "processing under way with at least " + BACKLOG + " acknowledged deliveries waiting");
        ProcessHandle jvm = app.toHandle();
        assertTrue(jvm.info().command().orElse("").endsWith("java"), "SIGKILL goes to the JVM itself: "
                + jvm.info().command().orElse("?"));
        app.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful stop, the postmaster is orphaned
        Instant killedAt = Instant.now();
        assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the JVM is gone");
        feeder.interrupt();
        feeder.join();
        senders.shutdown();
        assertTrue(senders.awaitTermination(60, TimeUnit.SECONDS));
        int acknowledgedBeforeKill = acknowledged.size();

        app = start(jar, dataDir, work.resolve("run-2.log"));
        for (Delivery d : deliveries) {
            if (!acknowledged.contains(d.id())) {
                assertTrue(send(d), "a re-sent delivery is accepted after the restart: " + d.id());
            }
        }
        Await.until(() -> countStatus("processed") == N, Duration.ofSeconds(120), "all " + N + " deliveries processed");
        long processedBeforeKill = processedBefore(killedAt);
        System.out.printf("Killed after %d of %d deliveries were acknowledged and %d processed%n", acknowledgedBeforeKill, N,
                processedBeforeKill);
        assertTrue(processedBeforeKill > 0 && processedBeforeKill < acknowledgedBeforeKill,
                "killed while processing was under way: " + processedBeforeKill + " processed before the kill");

        Set<String> processedIds = new HashSet<>(ids("/api/v1/mlflow/deliveries?status=processed"));
        assertEquals(N, processedIds.size());
        assertEquals(deliveries.stream().map(Delivery::id).collect(java.util.stream.Collectors.toSet()), processedIds);
        assertEquals(0, countStatus("pending") + countStatus("retrying") + countStatus("parked"));
        assertExactlyOncePerDelivery("mlflow.delivery.processed", processedIds);
        assertExactlyOncePerDelivery("mlflow.delivery.accepted", processedIds);
        // Mirror changes: one tag change per delivery, applied in order per model (the last value wins)
        assertEquals(N, countAudit("registry.version.tag.set"), "one mirror change per delivery");
        for (int m = 0; m < MODELS; m++) {
            JsonNode version = get("/api/v1/registry/models/crash-model-" + m + "/versions/1");
            int last = N - MODELS + m;
            assertEquals(Integer.toString(last), version.path("tags").path("step").asText(),
                    "crash-model-" + m + " ends with the value of its last delivery: " + version);
        }
        JsonNode verify = get("/api/v1/audit/verify");
        assertTrue(verify.get("intact").asBoolean(), "audit chain intact: " + verify);
    }

    @AfterEach
    void stop() throws Exception {
        if (mlflow != null) {
            mlflow.stop();
        }
        PackagedApp.tearDown(app, work, "crash-recovery-logs");
    }

    private long countAudit(String action) throws Exception {
        long count = 0;
        String after = "";
        do {
            JsonNode page = get("/api/v1/audit/events?limit=500&action=" + action + "&after=" + after);
            for (JsonNode e : page.get("items")) {
                if (e.get("action").asText().equals(action)) {
                    count++;
                }
            }
            after = page.get("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        return count;
    }

    private void assertExactlyOncePerDelivery(String action, Set<String> ids) throws Exception {
        List<String> subjects = new ArrayList<>();
        String after = "";
        do {
            JsonNode page = get("/api/v1/audit/events?limit=500&action=" + action + "&after=" + after);
            page.get("items").forEach(e -> {
                if (e.get("action").asText().equals(action)) {
                    subjects.add(e.get("subject").asText());
                }
            });
            after = page.get("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        assertEquals(N, subjects.size(), action + " events");
        assertEquals(ids.stream().map(id -> "delivery:" + id).collect(java.util.stream.Collectors.toSet()),
                new HashSet<>(subjects), "one " + action + " per delivery");
    }

    private static List<Delivery> deliveries() {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        List<Delivery> list = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            String id = UUID.randomUUID().toString();
            String body = "{\"entity\": \"model_version_tag\", \"action\": \"set\", \"timestamp\": \""
                    + Instant.now() + "\", \"data\": {\"name\": \"crash-model-" + (i % MODELS)
                    + "\", \"version\": \"1\", \"key\": \"step\", \"value\": \"" + i + "\"}}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            list.add(new Delivery(id, timestamp, bytes, SignatureVerifier.sign(SECRET, id, timestamp, bytes)));
        }
        return list;
    }

    private boolean send(Delivery d) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/mlflow/webhooks"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-MLflow-Delivery-Id", d.id())
                .header("X-MLflow-Timestamp", d.timestamp())
                .header("X-MLflow-Signature", d.signature())
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()))
                .build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 200 && status != 202 && status < 500) {
                fail("delivery " + d.id() + " answered " + status);
            }
            return status == 200 || status == 202;
        } catch (IOException e) {
            return false; // the process is gone: MLflow would retry
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Process start(Path jar, Path dataDir, Path log) throws Exception {
        return PackagedApp.start(jar, dataDir, port, log,
                "quantgate.webhook.secrets=" + SECRET,
                "quantgate.security.admin-token=" + ADMIN,
                "quantgate.webhook.inbox.poll-interval=200ms",
                "quantgate.mlflow.url=" + mlflow.url(),
                // the fake registry does not follow the deliveries: a reconciling poll would undo them
                "quantgate.mlflow.poll-interval=0");
    }

    private long processedBefore(Instant killedAt) throws Exception {
        long count = 0;
        String after = "";
        do {
            JsonNode page = get("/api/v1/mlflow/deliveries?status=processed&limit=500&after=" + after);
            for (JsonNode d : page.get("items")) {
                if (Instant.parse(d.get("processedAt").asText()).isBefore(killedAt)) {
                    count++;
                }
            }
            after = page.get("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        return count;
    }

    private int countStatus(String status) {
        try {
            return ids("/api/v1/mlflow/deliveries?status=" + status).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> ids(String path) throws Exception {
        List<String> ids = new ArrayList<>();
        String after = "";
        do {
            JsonNode page = get(path + "&limit=500&after=" + after);
            page.get("items").forEach(d -> ids.add(d.get("id").asText()));
            after = page.get("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        return ids;
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
