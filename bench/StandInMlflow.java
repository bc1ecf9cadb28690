import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in MLflow for the revert-window benchmark (run as a single file: {@code java bench/StandInMlflow.java}).
 *
 * <pre>
 * PORT WEBHOOK_URL SECRET GO_FILE SETS PER_SECOND MODEL...
 * </pre>
 * Serves the registry REST calls QuantGate makes (shapes as recorded in ../shared/mlflow-fixtures/rest/: registered
 * model and version get/search, alias get/set/delete, version tag set) from an in-memory registry where every MODEL
 * has versions 1 and 2 and {@code champion} on 1. Once GO_FILE exists it makes SETS direct alias sets, planned at
 * PER_SECOND, round robin over the models: {@code champion} moved to version 2 as MLflow's set-alias would, then the
 * signed {@code model_version_alias.created} delivery MLflow sends for it (body and headers as
 * webhooks/model_version_alias.created.json, HMAC-SHA256 over {@code id.timestamp.body}). When QuantGate's revert
 * arrives ({@code POST registered-models/alias} back to version 1, or a delete) it is applied and answered, and that
 * moment closes the window; then the echo deliveries MLflow would send (the alias and the gate's version tag) go out.
 * A model's next set waits until its previous set was reverted and QuantGate accepted the revert's echo delivery (a
 * set delivered before that echo is not seen as a change by the webhook path: see the README). Prints p50/p95/p99/max of
 * set → revert answered, with the split set → delivery accepted (202) → revert call arrived.
 */
public class StandInMlflow {

    static final Pattern FIELD = Pattern.compile("\"(name|alias|version|key|value)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    final Map<String, Map<String, String>> aliases = new ConcurrentHashMap<>();
    final Map<String, Map<String, Map<String, String>>> tags = new ConcurrentHashMap<>();
    final Map<String, Cycle> open = new ConcurrentHashMap<>();
    final AtomicInteger unknown = new AtomicInteger();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final URI webhook;
    final String secret;
    final long created = System.currentTimeMillis();

    /** One direct set: when it was made, when QuantGate accepted its delivery, when its revert arrived and was answered. */
    static final class Cycle {
        final long set;
        volatile long accepted;
        volatile long revertArrived;
        volatile long revertAnswered;
        final CountDownLatch done = new CountDownLatch(1);

        Cycle(long set) {
            this.set = set;
        }
    }

    StandInMlflow(URI webhook, String secret, List<String> models) {
        this.webhook = webhook;
        this.secret = secret;
        for (String m : models) {
            aliases.put(m, new ConcurrentHashMap<>(Map.of("champion", "1")));
            Map<String, Map<String, String>> t = new ConcurrentHashMap<>();
            t.put("1", new ConcurrentHashMap<>());
            t.put("2", new ConcurrentHashMap<>());
            tags.put(m, t);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: PORT WEBHOOK_URL SECRET GO_FILE SETS PER_SECOND MODEL...");
            System.exit(2);
        }
        List<String> models = Arrays.asList(args).subList(6, args.length);
        StandInMlflow mlflow = new StandInMlflow(URI.create(args[1]), args[2], models);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 128);
        server.createContext("/", mlflow::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("stand-in MLflow on :" + args[0] + " for " + models);
        Path go = Path.of(args[3]);
        while (!Files.exists(go)) {
            Thread.sleep(100); // the script creates it once QuantGate is up and seeded
        }
        mlflow.drive(Integer.parseInt(args[4]), Integer.parseInt(args[5]), models);
        server.stop(0);
        System.exit(0);
    }

    void drive(int sets, int perSecond, List<String> models) throws Exception {
        long[] window = new long[sets];
        long[] toAccepted = new long[sets];
        long[] toRevert = new long[sets];
        int failed = 0;
        long maxStartLag = 0;
        long interval = 1_000_000_000L / perSecond;
        long start = System.nanoTime() + 100_000_000L;
        Map<String, Cycle> last = new HashMap<>();
        List<Cycle> cycles = new ArrayList<>();
        for (int i = 0; i < sets; i++) {
            String model = models.get(i % models.size());
            Cycle previous = last.get(model);
            if (previous != null && !previous.done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("set " + (i - models.size()) + " on " + model + " was never reverted");
            }
            long planned = start + i * interval;
            long wait = planned - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            maxStartLag = Math.max(maxStartLag, System.nanoTime() - planned);
            Cycle c = new Cycle(System.nanoTime());
            open.put(model, c);
            aliases.get(model).put("champion", "2"); // what MLflow's set-alias does
            last.put(model, c);
            cycles.add(c);
            String body = "{\"entity\": \"model_version_alias\", \"action\": \"created\", \"timestamp\": \"" + now()
                    + "\", \"data\": {\"name\": \"" + model + "\", \"alias\": \"champion\", \"version\": \"2\"}}";
            deliver(body).thenAccept(status -> {
                c.accepted = System.nanoTime();
                if (status != 202) {
                    System.err.println("delivery answered " + status);
                }
            });
        }
        for (Cycle c : last.values()) {
            c.done.await(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < sets; i++) {
            Cycle c = cycles.get(i);
            if (c.revertAnswered == 0) {
                failed++;
                window[i] = Long.MAX_VALUE;
                continue;
            }
            window[i] = c.revertAnswered - c.set;
            toAccepted[i] = c.accepted - c.set;
            toRevert[i] = c.revertArrived - c.set;
        }
        System.out.printf("%d direct alias sets at %d/s over %d model(s): %d not reverted in 30 s, %d calls the stand-in"
                + " does not serve; set start lag max %.1f ms (a model's next set waits for its revert)%n", sets, perSecond,
                models.size(), failed, unknown.get(), maxStartLag / 1e6);
        print("set -> delivery accepted (202)", toAccepted);
        print("set -> revert call arrived    ", toRevert);
        print("set -> revert answered        ", window);
        long[] w = window.clone();
        Arrays.sort(w);
        System.out.printf("RESULT window_p50_ms=%.1f window_p95_ms=%.1f window_p99_ms=%.1f window_max_ms=%.1f not_reverted=%d%n",
                pct(w, 50), pct(w, 95), pct(w, 99), w[w.length - 1] / 1e6, failed);
    }

    static void print(String what, long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        System.out.printf("  %s ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f%n", what, pct(v, 50), pct(v, 95), pct(v, 99),
                v[v.length - 1] / 1e6);
    }

    java.util.concurrent.CompletableFuture<Integer> deliver(String body) {
        try {
            String id = UUID.randomUUID().toString();
            String timestamp = Long.toString(System.currentTimeMillis() / 1000);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = "v1," + Base64.getEncoder().encodeToString(
                    mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
            HttpRequest request = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("X-MLflow-Delivery-Id", id)
                    .header("X-MLflow-Timestamp", timestamp).header("X-MLflow-Signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode)
                    .exceptionally(e -> {
                        System.err.println("delivery failed: " + e);
                        return -1;
                    });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath().replaceFirst("^/(ajax-)?api/2\\.0/mlflow/", "");
            String op = x.getRequestMethod() + " " + path;
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            Map<String, String> b = fields(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            switch (op) {
                case "GET registered-models/get" -> {
                    String m = q.get("name");
                    if (!aliases.containsKey(m)) {
                        notFound(x, "Registered Model with name=" + m + " not found");
                    } else {
                        send(x, 200, "{\"registered_model\": " + modelJson(m) + "}");
                    }
                }
                case "GET registered-models/search" -> {
                    StringBuilder s = new StringBuilder("{\"registered_models\": [");
                    aliases.keySet().stream().sorted().forEach(m -> s.append(s.charAt(s.length() - 1) == '[' ? "" : ", ")
                            .append(modelJson(m)));
                    send(x, 200, s.append("]}").toString());
                }
                case "GET model-versions/get" -> {
                    String m = q.get("name");
                    String v = q.get("version");
                    if (!aliases.containsKey(m) || !("1".equals(v) || "2".equals(v))) {
                        notFound(x, "Model Version (name=" + m + ", version=" + v + ") not found");
                    } else {
                        send(x, 200, "{\"model_version\": " + versionJson(m, v, true) + "}");
                    }
                }
                case "GET model-versions/search" -> {
                    Matcher name = Pattern.compile("name\\s*=\\s*'([^']*)'").matcher(q.getOrDefault("filter", ""));
                    String m = name.find() ? name.group(1) : null;
                    send(x, 200, aliases.containsKey(m) ? "{\"model_versions\": [" + versionJson(m, "2", true) + ", "
                            + versionJson(m, "1", true) + "]}" : "{}");
                }
                case "GET registered-models/alias" -> {
                    String v = aliases.getOrDefault(q.get("name"), Map.of()).get(q.get("alias"));
                    if (v == null) {
                        notFound(x, "Registered model alias " + q.get("alias") + " not found.");
                    } else {
                        send(x, 200, "{\"model_version\": " + versionJson(q.get("name"), v, false) + "}");
                    }
                }
                case "POST registered-models/alias", "DELETE registered-models/alias" -> {
                    String m = b.get("name");
                    Cycle c = open.get(m);
                    long arrived = System.nanoTime();
                    if (op.startsWith("POST")) {
                        aliases.get(m).put(b.get("alias"), b.get("version"));
                    } else {
                        aliases.get(m).remove(b.get("alias"));
                    }
                    send(x, 200, "{}");
                    boolean revert = c != null && open.remove(m, c);
                    if (revert) {
                        c.revertArrived = arrived;
                        c.revertAnswered = System.nanoTime();
                    }
                    // the delivery MLflow sends for any alias set, QuantGate's too (MLflow sends none for a delete);
                    // the model's next direct set waits until QuantGate took it
                    java.util.concurrent.CompletableFuture<Integer> echo = op.startsWith("POST")
                            ? deliver("{\"entity\": \"model_version_alias\", \"action\": \"created\", \"timestamp\": \""
                                    + now() + "\", \"data\": {\"name\": \"" + m + "\", \"alias\": \"" + b.get("alias")
                                    + "\", \"version\": \"" + b.get("version") + "\"}}")
                            : java.util.concurrent.CompletableFuture.completedFuture(202);
                    if (revert) {
                        echo.thenRun(c.done::countDown);
                    }
                }
                case "POST model-versions/set-tag" -> {
                    String m = b.get("name");
                    Map<String, String> t = tags.getOrDefault(m, Map.of()).get(b.get("version"));
                    if (t == null) {
                        notFound(x, "Model Version (name=" + m + ", version=" + b.get("version") + ") not found");
                        return;
                    }
                    t.put(b.get("key"), b.get("value"));
                    send(x, 200, "{}");
                    deliver("{\"entity\": \"model_version_tag\", \"action\": \"set\", \"timestamp\": \"" + now()
                            + "\", \"data\": {\"name\": \"" + m + "\", \"version\": \"" + b.get("version")
                            + "\", \"key\": \"" + b.get("key") + "\", \"value\": \"" + b.get("value") + "\"}}");
                }
                default -> {
                    unknown.incrementAndGet();
                    System.err.println("stand-in MLflow does not serve " + op);
                    send(x, 404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\", \"message\": \"No stand-in for " + op + "\"}");
                }
            }
        }
    }

    String modelJson(String m) {
        StringBuilder s = new StringBuilder("{\"name\": \"" + m + "\", \"creation_timestamp\": " + created
                + ", \"last_updated_timestamp\": " + created + ", \"description\": \"\", \"latest_versions\": ["
                + versionJson(m, "2", false) + "]");
        Map<String, String> a = aliases.get(m);
        if (!a.isEmpty()) {
            s.append(", \"aliases\": [");
            a.forEach((alias, v) -> s.append(s.charAt(s.length() - 1) == '[' ? "" : ", ")
                    .append("{\"alias\": \"").append(alias).append("\", \"version\": \"").append(v).append("\"}"));
            s.append(']');
        }
        return s.append('}').toString();
    }

    String versionJson(String m, String v, boolean withTags) {
        StringBuilder s = new StringBuilder("{\"name\": \"" + m + "\", \"version\": \"" + v + "\", \"creation_timestamp\": "
                + created + ", \"last_updated_timestamp\": " + created + ", \"current_stage\": \"None\", \"description\": \"\","
                + " \"source\": \"mlflow-artifacts:/1/run" + v + "/artifacts/model\", \"run_id\": \"run" + v
                + "\", \"status\": \"READY\"");
        Map<String, String> t = tags.get(m).get(v);
        if (withTags && !t.isEmpty()) {
            s.append(", \"tags\": [");
            t.forEach((k, val) -> s.append(s.charAt(s.length() - 1) == '[' ? "" : ", ")
                    .append("{\"key\": \"").append(k).append("\", \"value\": \"").append(val).append("\"}"));
            s.append(']');
        }
        s.append(", \"run_link\": \"\"");
        List<String> held = new ArrayList<>();
        aliases.get(m).forEach((alias, ver) -> {
            if (ver.equals(v)) {
                held.add("\"" + alias + "\"");
            }
        });
        if (withTags && !held.isEmpty()) {
            s.append(", \"aliases\": [").append(String.join(", ", held)).append(']');
        }
        return s.append('}').toString();
    }

    static void notFound(HttpExchange x, String message) throws IOException {
        send(x, 404, "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"" + message + "\"}");
    }

    static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    static Map<String, String> fields(String json) {
        Map<String, String> f = new HashMap<>();
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            f.putIfAbsent(m.group(1), m.group(2));
        }
        return f;
    }

    static String now() {
        return OffsetDateTime.now(ZoneOffset.UTC).toString().replace("Z", "+00:00");
    }

    static double pct(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
