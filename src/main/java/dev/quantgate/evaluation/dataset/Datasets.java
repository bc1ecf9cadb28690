package dev.quantgate.evaluation.dataset;

import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.TransientIoException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Opens dataset files by their extension, and hashes files. */
public final class Datasets {

    private Datasets() {
    }

    /** Opens a CSV file, or a JSON Lines file when the name ends in {@code .jsonl}, {@code .ndjson} or {@code .json}. */
    public static TabularSource open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("dataset " + file + " does not exist or is not a file");
        }
        try {
            InputStreamReader reader = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8);
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            String description = file.getFileName().toString();
            if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
                return new JsonLinesReader(reader, description);
            }
            return new CsvReader(reader, description);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
            throw new BadInputException("cannot read dataset " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TransientIoException("cannot read dataset " + file + ": " + e.getMessage(), e);
        }
    }

    /** Lower-case hex SHA-256 of a file's bytes, streamed. */
    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // digesting
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException(file + " does not exist");
        } catch (IOException e) {
            throw new TransientIoException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
