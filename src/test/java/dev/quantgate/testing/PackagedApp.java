package dev.quantgate.testing;

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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Helpers of the whole-process tests (*IT) that start the packaged jar and kill it for real. */
public final class PackagedApp {

    private PackagedApp() {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * Starts the packaged jar in its own JVM on 127.0.0.1:{@code port} with its embedded PostgreSQL in
     * {@code dataDir} and the given extra {@code -D} properties, and waits until it reports ready. The log goes to
     * {@code log}, and is printed when the start fails.
     */
    public static Process start(Path jar, Path dataDir, int port, Path log, String... properties) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquantgate.db.data-dir=" + dataDir, "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                // the MLflow proxy on a free port of its own, so that processes started side by side never clash
                "-Dquantgate.proxy.port=0", "-Dquantgate.proxy.host=127.0.0.1"));
        for (String property : properties) {
            command.add("-D" + property);
        }
        command.addAll(List.of("-jar", jar.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("QuantGate exited with " + process.exitValue() + "; see " + log);
                }
                return ready(port);
            }, Duration.ofSeconds(180), "QuantGate to start (log: " + log + ")");
        } catch (AssertionError | RuntimeException e) {
            System.out.println(Files.readString(log));
            throw e;
        }
        return process;
    }

    private static boolean ready(int port) {
        return status("http://127.0.0.1:" + port + "/q/health/ready") == 200;
    }

    /** The status of a GET without credentials, or -1 when nothing answers. */
    public static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A TCP port free at the moment of asking. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The postmaster of a killed JVM outlives it (and a failed test may leave it behind): stop it. */
    public static void stopOrphanPostgres(Path dataDir) throws Exception {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        if (postmaster.isPresent() && postmaster.get().isAlive()) {
            postmaster.get().destroy();
            postmaster.get().onExit().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The end of a whole-process test: the app stopped (SIGTERM, then SIGKILL after 60 s), its orphaned postmaster
     * too, the run logs under {@code work} kept in {@code target/<logFolder>}, and {@code work} deleted.
     */
    public static void tearDown(Process app, Path work, String logFolder) throws Exception {
        if (app != null && app.isAlive()) {
            app.destroy();
            if (!app.waitFor(60, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
        if (work == null) {
            return;
        }
        stopOrphanPostgres(work.resolve("pg"));
        Path logs = Files.createDirectories(Path.of("target", logFolder));
        try (var runLogs = Files.list(work)) {
            for (Path runLog : runLogs.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                Files.copy(runLog, logs.resolve(runLog.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (var paths = Files.walk(work)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
