package dev.quantgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.mlflow.webhook.SignatureVerifier;
import dev.quantgate.testing.Await;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.PackagedApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crashes in the middle of the pipeline, for real, on the packaged application: every spec still ends with exactly
 * one evidence record, one finished MLflow run and one MLflow variant version.
 * <ul>
 *   <li>the server (role {@code server}) and two separate worker processes (role {@code worker}, no database, REST
 *       only): one worker is SIGKILLed while it runs a job; its lease expires and the other worker finishes it;</li>
 *   <li>one process (role {@code all}, in-process worker) SIGKILLed while a job runs and restarted on the same
 *       data directory: the job's lease expires and the restarted worker runs it again.</li>
 * </ul>
 */
class PipelineCrashIT {

    private static final String MODEL = "adult-crash";
    private static final String ADMIN = "crash-test-admin-token-0123456789";
    private static final String SECRET = "crash-webhook-secret-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private FakeMlflow mlflow;
    private Path work;
    private int port;

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        if (work != null) {
            PackagedApp.stopOrphanPostgres(work.resolve("pg"));
        }
        if (mlflow != null) {
            mlflow.stop();
        }
    }

    @Test
    void shouldFinishAKilledWorkersJobOnTheOtherWorkerExactlyOnce() throws Exception {
        RegisteredAdult adult = prepare();
        startServer("server");
        String token = JSON.readTree(call("POST", "/api/v1/admin/tokens",
                "{\"name\":\"crash-workers\",\"roles\":[\"worker\"]}", 201)).get("token").asText();
        Process first = worker("worker-a", token);
        Process second = worker("worker-b", token);

        deliver(adult.createdDelivery());

        // SIGKILL worker-a while it evaluates (a heartbeat said so: the job is running under its lease)
        long killedJob = awaitRunning("worker-a");
        first.destroyForcibly().waitFor();

        awaitEveryVariant();
        JsonNode killed = JSON.readTree(call("GET", "/api/v1/jobs/" + killedJob, null, 200));
        assertEquals("worker-b", killed.path("worker").asText(), killed.toString());
        assertTrue(killed.path("attempts").asInt() >= 2, "the killed attempt counted: " + killed);
        assertTrue(second.isAlive());
        assertExactlyOnePerSpec(adult);
    }

    @Test
    void shouldFinishThePipelineAfterTheServerIsKilledAndRestarted() throws Exception {
        RegisteredAdult adult = prepare();
        Process server = startServer("all");

        deliver(adult.createdDelivery());

        long killedJob = awaitRunning(null);
        server.destroyForcibly().waitFor();
        processes.remove(server);
        PackagedApp.stopOrphanPostgres(work.resolve("pg"));
        startServer("all");

        awaitEveryVariant();
        JsonNode killed = JSON.readTree(call("GET", "/api/v1/jobs/" + killedJob, null, 200));
        assertTrue(killed.path("attempts").asInt() >= 2, "the attempt cut by the kill counted: " + killed);
        assertExactlyOnePerSpec(adult);
    }

    private RegisteredAdult prepare() throws Exception {
        assertTrue(Files.isRegularFile(jar()), "the packaged application is needed: " + jar() + " (mvn package)");
        work = Files.createTempDirectory("quantgate-pipeline-crash");
        mlflow = new FakeMlflow();
        mlflow.start();
        return RegisteredAdult.register(mlflow, MODEL, Files.createDirectories(work.resolve("files")), true);
    }

    private Process startServer(String role) throws Exception {
        Path policies = Files.createDirectories(work.resolve("policies"));
        // all 48,842 rows and 1,000 bootstrap iterations: evaluating takes seconds, so a kill made once a heartbeat
        // has reported that stage lands while the job runs, never after its report
        Files.writeString(policies.resolve("adult-income.yaml"),
                PipelineTestProfile.POLICY.replace("bootstrap: 50", "bootstrap: 1000"));
        if (port == 0) {
            port = PackagedApp.freePort();
        }
        Process server = PackagedApp.start(jar(), work.resolve("pg"), port, work.resolve("server-" + processes.size() + ".log"),
                "quantgate.role=" + role,
                "quantgate.worker.work-dir=" + work.resolve("in-process"),
                "quantgate.policies.dir=" + policies,
                "quantgate.webhook.secrets=" + SECRET,
                "quantgate.security.admin-token=" + ADMIN,
                "quantgate.mlflow.url=" + mlflow.url(),
                "quantgate.mlflow.poll-interval=0",
                "quantgate.mlflow.outbox.dispatch-every=200ms",
                // a killed worker's lease runs out within seconds, not the default minute
                "quantgate.jobs.lease-duration=8s",
                "quantgate.jobs.heartbeat-every=1s",
                "quantgate.jobs.reap-every=1s");
        processes.add(server);
        return server;
    }

    /** The id of a job evaluating under {@code worker}'s lease (any worker when null), once there is one. */
    private long awaitRunning(String worker) {
        long[] id = new long[1];
        Await.until(() -> jobs().stream().filter(j -> "running".equals(j.path("state").asText())
                        && "evaluating".equalsIgnoreCase(j.path("stage").asText())
                        && (worker == null || worker.equals(j.path("worker").asText())))
                .peek(j -> id[0] = j.path("id").asLong()).findFirst().isPresent(),
                Duration.ofMinutes(4), "a job evaluating" + (worker == null ? "" : " on " + worker));
        return id[0];
    }

    private void awaitEveryVariant() {
        Await.until(() -> jobs().size() == 4 && jobs().stream().allMatch(j -> "succeeded".equals(j.path("state").asText()))
                        && mlflow.versionsOf(MODEL).size() == 5, Duration.ofMinutes(8),
                "every job succeeded and four variant versions registered");
    }

    private void assertExactlyOnePerSpec(RegisteredAdult adult) throws IOException {
        Map<String, Integer> versionsByScheme = new HashMap<>();
        for (FakeMlflow.VersionState v : mlflow.versionsOf(MODEL)) {
            String scheme = v.tags.get("quantgate.scheme");
            if (scheme != null) {
                versionsByScheme.merge(scheme, 1, Integer::sum);
            }
        }
        assertEquals(Map.of("int8-dynamic", 1, "int8-static", 1, "fp16", 1, "int4-weight-only", 1), versionsByScheme);
        JsonNode evidence = JSON.readTree(call("GET", "/api/v1/registry/models/" + MODEL + "/versions/"
                + adult.version().version + "/evidence?limit=50", null, 200));
        Set<String> schemes = new HashSet<>();
        evidence.path("items").forEach(e -> schemes.add(e.path("scheme").asText()));
        assertEquals(4, evidence.path("items").size(), "one evidence record per spec: " + evidence);
        assertEquals(4, schemes.size(), evidence.toString());
        assertEquals(4, mlflow.runs().stream().filter(r -> "FINISHED".equals(r.status)
                && r.tags.containsKey("quantgate.job_id")).count(), "one finished run per job");
    }

    private static Path jar() {
        return Path.of(System.getProperty("quantgate.app.jar", "target/quarkus-app/quarkus-run.jar"));
    }

    private Process worker(String id, String token) throws Exception {
        int health = PackagedApp.freePort();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString())
                .redirectErrorStream(true).redirectOutput(work.resolve(id + ".log").toFile());
        pb.environment().putAll(Map.of("QUANTGATE_ROLE", "worker", "QUANTGATE_SERVER_URL", "http://127.0.0.1:" + port,
                "QUANTGATE_WORKER_TOKEN", token, "QUANTGATE_MLFLOW_URL", mlflow.url(), "QUANTGATE_WORKER_ID", id,
                "QUANTGATE_WORK_DIR", work.resolve(id).toString(), "QUANTGATE_PORT", Integer.toString(health)));
        Process p = pb.start();
        processes.add(p);
        Await.until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException(id + " exited; see " + work.resolve(id + ".log"));
            }
            return status("http://127.0.0.1:" + health + "/q/health/ready") == 200;
        }, Duration.ofMinutes(2), id + " ready");
        return p;
    }

    private List<JsonNode> jobs() {
        try {
            List<JsonNode> items = new ArrayList<>();
            JSON.readTree(call("GET", "/api/v1/jobs?model=" + MODEL + "&limit=50", null, 200)).path("items")
                    .forEach(items::add);
            return items;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void deliver(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString();
        String timestamp = Long.toString(java.time.Instant.now().getEpochSecond());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/v1/mlflow/webhooks")).header("Content-Type", "application/json")
                .header("X-MLflow-Delivery-Id", id).header("X-MLflow-Timestamp", timestamp)
                .header("X-MLflow-Signature", SignatureVerifier.sign(SECRET, id, timestamp, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }

    private String call(String method, String path, String body, int expected) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(30));
            b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                    : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(expected, r.statusCode(), method + " " + path + ": " + r.body());
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int status(String url) {
        return PackagedApp.status(url);
    }
}
