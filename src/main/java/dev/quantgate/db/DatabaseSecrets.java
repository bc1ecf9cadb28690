package dev.quantgate.db;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The generated passwords of the embedded server's three roles, kept in the data directory in a file
 * only its owner can read (mode 0600), written atomically (a temporary file moved into place).
 */
public record DatabaseSecrets(String superuserPassword, String ownerPassword, String appPassword) {

    static final String FILE = "quantgate-credentials.properties";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Fresh random secrets (32 bytes each, base64url: safe inside an SQL string literal). */
    public static DatabaseSecrets generate() {
        return new DatabaseSecrets(secret(), secret(), secret());
    }

    /** The secrets stored in a data directory, if any. */
    public static Optional<DatabaseSecrets> read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        String su = p.getProperty("superuser.password");
        String owner = p.getProperty("owner.password");
        String app = p.getProperty("app.password");
        if (su == null || owner == null || app == null) {
            throw new IllegalStateException(file + " lacks one of superuser.password, owner.password, app.password");
        }
        return Optional.of(new DatabaseSecrets(su, owner, app));
    }

    /** Writes the secrets into the data directory, readable by this user only. */
    public void write(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Properties p = new Properties();
        p.setProperty("superuser.password", superuserPassword);
        p.setProperty("owner.password", ownerPassword);
        p.setProperty("app.password", appPassword);
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
                p.store(out, "QuantGate embedded PostgreSQL role passwords (generated; keep this file private)");
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String secret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "DatabaseSecrets[redacted]";
    }
}
