package dev.quantgate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quantgate.mlflow.artifacts.MlflowArtifacts;
import dev.quantgate.worker.ArtifactCache;
import dev.quantgate.worker.CachedArtifacts;
import dev.quantgate.worker.JobExecutor;
import dev.quantgate.worker.RestWorkerPort;
import dev.quantgate.worker.WorkerInfo;
import dev.quantgate.worker.WorkerLoop;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Role {@code worker}: a worker process that needs no database and starts no Quarkus application. It leases jobs
 * from the server's worker REST API with a {@code worker} token, fetches and uploads artifacts through MLflow, and
 * serves {@code /q/health/live} and {@code /q/health/ready} for its orchestrator. Configured by environment:
 *
 * <ul>
 *   <li>{@code QUANTGATE_SERVER_URL}, {@code QUANTGATE_WORKER_TOKEN}, {@code QUANTGATE_MLFLOW_URL} (required)</li>
 *   <li>{@code QUANTGATE_MLFLOW_AUTH} {@code none|basic|bearer} with {@code QUANTGATE_MLFLOW_USERNAME},
 *       {@code _PASSWORD} or {@code _TOKEN}</li>
 *   <li>{@code QUANTGATE_WORKER_KIND} {@code cpu|gpu} (default {@code cpu}), {@code QUANTGATE_WORKER_ID}
 *       (default host-pid), {@code QUANTGATE_WORK_DIR} (default {@code data/work}), {@code QUANTGATE_PORT}
 *       (health, default 8080; 0 picks a free port and prints it)</li>
 *   <li>{@code QUANTGATE_WORKER_CACHE_MAX_BYTES} (verified-download cache, default 4 GiB, 0 turns it off),
 *       {@code QUANTGATE_WORKER_CACHE_DIR} (default {@code .cache} in the work directory)</li>
 * </ul>
 * Without Quarkus nothing configures logging, so the worker logs INFO and above to the console itself, one line a
 * record (the worker loop's warnings and its {@code job-timings} line per job).
 */
final class WorkerProcess {

    static final int BAD_CONFIG = 2;

    private WorkerProcess() {
    }

    /** Whether this process was asked to be a worker ({@code QUANTGATE_ROLE=worker} or {@code -Dquantgate.role=worker}). */
    static boolean requested(Map<String, String> env) {
        String role = System.getProperty("quantgate.role", env.getOrDefault("QUANTGATE_ROLE", "all"));
        return role.trim().toLowerCase(Locale.ROOT).equals("worker");
    }

    /** Runs until SIGTERM; answers the exit code. */
    static int run(Map<String, String> env) {
        String server = env.get("QUANTGATE_SERVER_URL");
        String token = env.get("QUANTGATE_WORKER_TOKEN");
        String mlflow = env.get("QUANTGATE_MLFLOW_URL");
        for (String required : List.of("QUANTGATE_SERVER_URL", "QUANTGATE_WORKER_TOKEN", "QUANTGATE_MLFLOW_URL")) {
            String value = env.get(required);
            if (value == null || value.isBlank()) {
                System.err.println("quantgate worker: " + required + " is required in role worker");
                return BAD_CONFIG;
            }
        }
        String kind = env.getOrDefault("QUANTGATE_WORKER_KIND", "cpu").trim().toLowerCase(Locale.ROOT);
        if (!kind.equals("cpu") && !kind.equals("gpu")) {
            System.err.println("quantgate worker: QUANTGATE_WORKER_KIND is cpu or gpu, was '" + kind + "'");
            return BAD_CONFIG;
        }
        String authorization;
        try {
            authorization = mlflowAuthorization(env);
        } catch (IllegalArgumentException e) {
            System.err.println("quantgate worker: " + e.getMessage());
            return BAD_CONFIG;
        }
        long cacheMaxBytes;
        try {
            cacheMaxBytes = Long.parseLong(env.getOrDefault("QUANTGATE_WORKER_CACHE_MAX_BYTES", "4294967296").trim());
            if (cacheMaxBytes < 0) {
                throw new NumberFormatException("negative");
            }
        } catch (NumberFormatException e) {
            System.err.println("quantgate worker: QUANTGATE_WORKER_CACHE_MAX_BYTES is a byte count (0 turns the "
                    + "download cache off), was '" + env.get("QUANTGATE_WORKER_CACHE_MAX_BYTES") + "'");
            return BAD_CONFIG;
        }
        logToConsole();
        Path work = Path.of(env.getOrDefault("QUANTGATE_WORK_DIR", "data/work"));
        String id = env.getOrDefault("QUANTGATE_WORKER_ID", hostName() + "-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(work);
            WorkerInfo info = WorkerInfo.detect(id, kind);
            RestWorkerPort port = new RestWorkerPort(URI.create(server.trim()), token.trim(),
                    Duration.ofSeconds(5), Duration.ofSeconds(60));
            MlflowArtifacts artifacts = new MlflowArtifacts(mlflow.trim(), authorization, Duration.ofSeconds(5),
                    Duration.ofSeconds(60));
            ArtifactCache cache = ArtifactCache.open(Path.of(env.getOrDefault("QUANTGATE_WORKER_CACHE_DIR",
                    work.resolve(".cache").toString())), cacheMaxBytes);
            WorkerLoop loop = new WorkerLoop(info, port, CachedArtifacts.over(artifacts, cache), new JobExecutor(info, JobExecutor.Settings.defaults()),
                    WorkerLoop.Settings.defaults(work).withFetchAhead(!"false".equalsIgnoreCase(
                            env.getOrDefault("QUANTGATE_WORKER_FETCH_AHEAD", "true").trim())), null);
            HttpServer health = health(Integer.parseInt(env.getOrDefault("QUANTGATE_PORT", "8080")), loop);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                loop.stop(Duration.ofSeconds(30));
                health.stop(0);
                stopped.countDown();
            }, "quantgate-worker-shutdown"));
            loop.start();
            System.out.println("quantgate worker " + id + " (" + kind + ") leasing from " + server.trim()
                    + "; health on port " + health.getAddress().getPort());
            System.out.flush();
            stopped.await();
            return 0;
        } catch (IOException e) {
            System.err.println("quantgate worker: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * INFO and above to standard error, {@code 2026-12-03 06:30:00,123 INFO [logger] message}. The root's handlers
     * are replaced: the jar's launcher leaves one that holds records until Quarkus configures logging, which in
     * this role never happens.
     */
    static void logToConsole() {
        Logger root = Logger.getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.INFO);
        console.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String thrown = r.getThrown() == null ? "" : " " + r.getThrown();
                return String.format(Locale.ROOT, "%1$tF %1$tT,%1$tL %2$s [%3$s] %4$s%5$s%n", r.getMillis(),
                        r.getLevel().getName(), r.getLoggerName(), formatMessage(r), thrown);
            }
        });
        root.addHandler(console);
        root.setLevel(Level.INFO);
    }

    static String mlflowAuthorization(Map<String, String> env) {
        String auth = env.getOrDefault("QUANTGATE_MLFLOW_AUTH", "none").trim().toLowerCase(Locale.ROOT);
        return switch (auth) {
            case "none" -> null;
            case "basic" -> "Basic " + Base64.getEncoder().encodeToString((env.getOrDefault("QUANTGATE_MLFLOW_USERNAME", "")
                    + ":" + env.getOrDefault("QUANTGATE_MLFLOW_PASSWORD", "")).getBytes(StandardCharsets.UTF_8));
            case "bearer" -> "Bearer " + env.getOrDefault("QUANTGATE_MLFLOW_TOKEN", "");
            default -> throw new IllegalArgumentException("QUANTGATE_MLFLOW_AUTH is none, basic or bearer, was '" + auth + "'");
        };
    }

    private static HttpServer health(int port, WorkerLoop loop) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(port), 16);
        http.createContext("/q/health/live", exchange -> answer(exchange, true));
        http.createContext("/q/health/ready", exchange -> answer(exchange, loop.running()));
        http.start();
        return http;
    }

    private static void answer(HttpExchange exchange, boolean up) throws IOException {
        byte[] body = ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(up ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "worker";
        }
    }
}
