package dev.quantgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.mlflow.webhook.SignatureVerifier;
import dev.quantgate.testing.Await;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.PackagedApp;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the whole-process benchmarks run against (not a test): the fake MLflow of the tests (WireMock serving the
 * recorded REST shapes, artifacts, runs and versions), the packaged jar started as the server with its embedded
 * PostgreSQL, and worker processes in role {@code worker} started as {@link PipelineCrashIT} starts them. It signs
 * webhooks, pages through the jobs API, and reads the {@code job-timings} lines the workers log.
 */
final class BenchStack implements AutoCloseable {

    static final String ADMIN = "bench-admin-token-0123456789abcdef";
    static final String SECRET = "bench-webhook-secret-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIMINGS = Pattern.compile(JobTimings.LOG_PREFIX + " (.*)$");

    final Path work;
    final FakeMlflow mlflow = new FakeMlflow();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private int port;

    BenchStack(Path work) throws IOException {
        this.work = Files.createDirectories(work);
        mlflow.start();
    }

    static Path jar() {
        return Path.of(System.getProperty("quantgate.app.jar", "target/quarkus-app/quarkus-run.jar"));
    }

    /** Starts the packaged server in {@code role} with one policy file and the given extra properties. */
    void startServer(String role, String policyName, String policy, String... extra) throws Exception {
        Path policies = Files.createDirectories(work.resolve("policies"));
        Files.writeString(policies.resolve(policyName + ".yaml"), policy);
        port = PackagedApp.freePort();
        List<String> properties = new ArrayList<>(List.of("quantgate.role=" + role,
                "quantgate.worker.work-dir=" + work.resolve("in-process"),
                "quantgate.policies.dir=" + policies,
                "quantgate.webhook.secrets=" + SECRET,
                "quantgate.security.admin-token=" + ADMIN,
                "quantgate.mlflow.url=" + mlflow.url(),
                "quantgate.mlflow.poll-interval=0",
                // no MLflow proxy: the benches do not use it, and on this 2-core machine with PackagedApp's
                // proxy.port=0 MlflowProxy.start failed with a BindException, so the server did not start
                "quantgate.proxy.enabled=false"));
        properties.addAll(List.of(extra));
        Path log = work.resolve("server.log");
        logs.add(log);
        processes.add(PackagedApp.start(jar(), work.resolve("pg"), port, log, properties.toArray(String[]::new)));
    }

    /** Starts a worker process (role {@code worker}, its own JVM, REST only) and waits until it is ready. */
    Process startWorker(String id, String token) throws Exception {
        int health = PackagedApp.freePort();
        Path log = work.resolve(id + ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("QUANTGATE_ROLE", "worker", "QUANTGATE_SERVER_URL", "http://127.0.0.1:" + port,
                "QUANTGATE_WORKER_TOKEN", token, "QUANTGATE_MLFLOW_URL", mlflow.url(), "QUANTGATE_WORKER_ID", id,
                "QUANTGATE_WORK_DIR", work.resolve(id).toString(), "QUANTGATE_PORT", Integer.toString(health)));
        Process p = pb.start();
        processes.add(p);
        logs.add(log);
        Await.until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException(id + " exited; see " + log);
            }
            return PackagedApp.status("http://127.0.0.1:" + health + "/q/health/ready") == 200;
        }, Duration.ofMinutes(2), id + " ready");
        return p;
    }

    String workerToken() throws IOException {
        return JSON.readTree(call("POST", "/api/v1/admin/tokens", "{\"name\":\"bench-workers\",\"roles\":[\"worker\"]}", 201))
                .get("token").asText();
    }

    /** Sends one signed delivery; answers when the server accepted it (202). */
    Instant deliver(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/v1/mlflow/webhooks")).header("Content-Type", "application/json")
                .header("X-MLflow-Delivery-Id", id).header("X-MLflow-Timestamp", timestamp)
                .header("X-MLflow-Signature", SignatureVerifier.sign(SECRET, id, timestamp, bytes))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        Instant accepted = Instant.now();
        if (r.statusCode() != 202) {
            throw new IllegalStateException("webhook answered " + r.statusCode() + ": " + r.body());
        }
        return accepted;
    }

    /** Every job (optionally of one model), paging through {@code GET /api/v1/jobs} by its {@code next} cursor. */
    List<JsonNode> jobs(String model) {
        List<JsonNode> all = new ArrayList<>();
        String after = null;
        do {
            String path = "/api/v1/jobs?limit=100" + (model == null ? "" : "&model=" + enc(model))
                    + (after == null ? "" : "&after=" + enc(after));
            JsonNode page = json(call("GET", path, null, 200));
            page.path("items").forEach(all::add);
            after = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (after != null);
        return all;
    }

    JsonNode job(long id) {
        return json(call("GET", "/api/v1/jobs/" + id, null, 200));
    }

    /** The evidence recorded for a source version, newest first. */
    List<JsonNode> evidence(String model, int version) {
        List<JsonNode> items = new ArrayList<>();
        json(call("GET", "/api/v1/registry/models/" + enc(model) + "/versions/" + version + "/evidence?limit=100",
                null, 200)).path("items").forEach(items::add);
        return items;
    }

    /** Every {@code job-timings} line the processes logged, as key/value maps. */
    List<Map<String, String>> timings() throws IOException {
        List<Map<String, String>> all = new ArrayList<>();
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = TIMINGS.matcher(line);
                if (m.find()) {
                    Map<String, String> kv = new LinkedHashMap<>();
                    for (String pair : m.group(1).trim().split(" ")) {
                        int eq = pair.indexOf('=');
                        if (eq > 0) {
                            kv.put(pair.substring(0, eq), pair.substring(eq + 1));
                        }
                    }
                    all.add(kv);
                }
            }
        }
        return all;
    }

    String call(String method, String path, String body, int expected) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(60));
            b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                    : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The {@code model_version.created} delivery MLflow 3 sends for a version logged as {@code models:/<id>}. */
    static String createdDelivery(String model, int version, String loggedModelId) {
        return "{\"entity\": \"model_version\", \"action\": \"created\", \"timestamp\": \"" + Instant.now()
                + "\", \"data\": {\"name\": \"" + model + "\", \"version\": \"" + version + "\", \"source\": \"models:/"
                + loggedModelId + "\", \"run_id\": null, \"tags\": {}, \"description\": null}}";
    }

    static double ms(String value) {
        return value == null || value.equals("-") ? 0 : Double.parseDouble(value);
    }

    static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    /** The value at {@code p} (0–100) of sorted {@code values}, nearest rank; 0 when empty. */
    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        PackagedApp.stopOrphanPostgres(work.resolve("pg"));
        mlflow.stop();
    }
}
