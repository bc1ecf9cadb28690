package dev.quantgate.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server (zonky embedded binaries) on a data directory that survives restarts, run with
 * least privilege: password (SCRAM) authentication only, with generated passwords kept in the data
 * directory (mode 0600); the Unix socket inside the data directory (mode 0700), never in /tmp; an owner
 * role for migrations and a non-superuser application role ({@link DatabaseRoles}). A watchdog restarts
 * the server when it dies (a bounded number of attempts in a row, each logged), on the same port, so the
 * service's connection pool reconnects by itself.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    static final String DEFAULT_DATA_DIR = "data/postgres";
    static final String SUPERUSER = "postgres";
    /** Unix socket paths are limited to 107 bytes; the socket file name takes up to 18 of them. */
    private static final int MAX_SOCKET_DIR = 88;
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private static final int MAX_RESTARTS_IN_A_ROW = 5;
    private static final Duration MAX_RESTART_DELAY = Duration.ofSeconds(30);

    private final Path dataDir;
    private final DatabaseSecrets secrets;
    private final ScheduledExecutorService watchdog;
    private volatile EmbeddedPostgres server;
    private volatile boolean closed;
    private int failedRestarts;
    private long restarts;

    private EmbeddedDatabase(Path dataDir, EmbeddedPostgres server, DatabaseSecrets secrets) {
        this.dataDir = dataDir;
        this.server = server;
        this.secrets = secrets;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-postgres-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the embedded server unless {@code QUANTGATE_DB_URL} / {@code quantgate.db.url} is set. */
    public static void startIfNoDatabaseConfigured() {
        if (setting("quantgate.db.url").isPresent()) {
            return;
        }
        Path dataDir = Path.of(setting("quantgate.db.data-dir").orElse(DEFAULT_DATA_DIR)).toAbsolutePath();
        EmbeddedDatabase db = start(dataDir);
        db.asSystemProperties();
        Runtime.getRuntime().addShutdownHook(new Thread(db::close, "embedded-postgres-stop"));
        LOG.infof("Embedded PostgreSQL on port %d, data in %s", db.port(), dataDir);
    }

    /**
     * Starts PostgreSQL on a data directory (created and initialised when empty), first stopping a server
     * that a killed QuantGate process left running on it (its postmaster outlives a SIGKILL of the JVM);
     * provisions the roles and password authentication; starts the watchdog.
     */
    public static EmbeddedDatabase start(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            stopOrphan(dataDir);
            Optional<DatabaseSecrets> stored = DatabaseSecrets.read(dataDir);
            EmbeddedPostgres pg = server(dataDir, 0, stored.orElse(null));
            DatabaseSecrets secrets = provision(dataDir, pg.getPort(), stored);
            EmbeddedDatabase db = new EmbeddedDatabase(dataDir, pg, secrets);
            db.watchdog.scheduleWithFixedDelay(db::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot set up roles on embedded PostgreSQL in " + dataDir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Hands the application's and Flyway's coordinates to Quarkus ({@code application.properties} reads them). */
    public void asSystemProperties() {
        System.setProperty("quantgate.db.url", jdbcUrl());
        System.setProperty("quantgate.db.user", DatabaseRoles.APP);
        System.setProperty("quantgate.db.password", secrets.appPassword());
        System.setProperty("quantgate.db.owner-user", DatabaseRoles.OWNER);
        System.setProperty("quantgate.db.owner-password", secrets.ownerPassword());
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/postgres";
    }

    public int port() {
        return server.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    public DatabaseSecrets secrets() {
        return secrets;
    }

    /** How many times the watchdog has brought the server back. */
    public synchronized long restarts() {
        return restarts;
    }

    /** The running postmaster's process id, read from its lock file. */
    public Optional<Long> postmasterPid() {
        try {
            return postmasterPid(dataDir);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        closed = true;
        watchdog.shutdownNow();
        try {
            watchdog.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(server);
    }

    private synchronized void check() {
        if (closed || isRunning()) {
            return;
        }
        LOG.errorf("Embedded PostgreSQL on port %d has stopped; restarting it (attempt %d of %d)",
                port(), failedRestarts + 1, MAX_RESTARTS_IN_A_ROW);
        int port = port();
        closeQuietly(server);
        try {
            server = server(dataDir, port, secrets);
            failedRestarts = 0;
            restarts++;
            LOG.warnf("Embedded PostgreSQL is back on port %d (restart %d)", port, restarts);
        } catch (IOException | RuntimeException e) {
            failedRestarts++;
            if (failedRestarts >= MAX_RESTARTS_IN_A_ROW) {
                LOG.errorf(e, "Embedded PostgreSQL could not be restarted %d times in a row; the watchdog gives up."
                        + " Restart QuantGate once the cause (see above) is fixed", failedRestarts);
                watchdog.shutdown();
                return;
            }
            long delay = Math.min(MAX_RESTART_DELAY.toMillis(), CHECK_EVERY.toMillis() << failedRestarts);
            LOG.errorf(e, "Restarting embedded PostgreSQL failed; next attempt in %d ms", delay);
            watchdog.schedule(this::check, delay, TimeUnit.MILLISECONDS);
        }
    }

    private boolean isRunning() {
        try {
            return postmasterPid(dataDir).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    private static EmbeddedPostgres server(Path dataDir, int port, DatabaseSecrets secrets) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "100")
                .setServerConfig("fsync", "on")
                // zonky's builder defaults to synchronous_commit=off: a commit could then be lost
                // after it was acknowledged (a stored webhook delivery, an audit event)
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setServerConfig("unix_socket_directories", socketDirectory(dataDir))
                .setServerConfig("unix_socket_permissions", "0700");
        if (port > 0) {
            builder.setPort(port);
        }
        if (secrets != null) {
            builder.setConnectConfig("password", secrets.superuserPassword());
            // Before every start: password authentication only (initdb's trust is replaced once roles have passwords).
            builder.setDataDirectoryCustomizer(dir -> writeHba(dir.toPath()));
        }
        return builder.start();
    }

    /** The socket goes into the data directory; a path too long for a socket means TCP on loopback only. */
    static String socketDirectory(Path dataDir) {
        String dir = dataDir.toAbsolutePath().toString();
        if (dir.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_DIR || dir.contains(" ") || dir.contains(",")) {
            LOG.warnf("The data directory path %s is too long (or odd) for a Unix socket; PostgreSQL listens on"
                    + " loopback TCP only", dir);
            return "''";
        }
        return dir;
    }

    /**
     * Gives the roles passwords (generated on the first start, then read from the data directory), makes the
     * owner role own the schema, and switches authentication to SCRAM passwords.
     */
    private static DatabaseSecrets provision(Path dataDir, int port, Optional<DatabaseSecrets> stored)
            throws SQLException {
        DatabaseSecrets secrets = stored.orElseGet(DatabaseSecrets::generate);
        String url = "jdbc:postgresql://localhost:" + port + "/postgres";
        // Without stored secrets the server still trusts local connections (fresh or pre-split data directory).
        try (Connection c = DriverManager.getConnection(url, SUPERUSER, stored.isPresent() ? secrets.superuserPassword() : "")) {
            if (stored.isEmpty()) {
                secrets.write(dataDir);
                LOG.infof("Generated passwords for the embedded PostgreSQL roles in %s (mode 0600)",
                        dataDir.resolve(DatabaseSecrets.FILE));
            }
            try (Statement s = c.createStatement()) {
                s.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + secrets.superuserPassword() + "'");
            }
            DatabaseRoles.ensureRoles(c, secrets.ownerPassword(), secrets.appPassword());
            DatabaseRoles.ensureOwnership(c);
            writeHba(dataDir);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_reload_conf()");
            }
        }
        return secrets;
    }

    private static void writeHba(Path dataDir) {
        String hba = """
                # Written by QuantGate at every start: password (SCRAM) authentication only, on the socket in the
                # data directory and on loopback TCP. The passwords are in quantgate-credentials.properties (0600).
                local   all   all                  scram-sha-256
                host    all   all   127.0.0.1/32   scram-sha-256
                host    all   all   ::1/128        scram-sha-256
                """;
        try {
            Files.writeString(dataDir.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write pg_hba.conf in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Long> postmasterPid(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void stopOrphan(Path dataDir) throws IOException {
        Optional<ProcessHandle> orphan = postmasterPid(dataDir).flatMap(ProcessHandle::of);
        if (orphan.isEmpty() || !orphan.get().isAlive()) {
            return;
        }
        long pid = orphan.get().pid();
        LOG.warnf("Stopping PostgreSQL (pid %d) left running on %s by an earlier process", pid, dataDir);
        try {
            // SIGINT is PostgreSQL's "fast" shutdown: no new work, in-flight transactions rolled back.
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
            try {
                orphan.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                orphan.get().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException | RuntimeException e) {
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
