package dev.quantgate.quantize.onnx;

import dev.quantgate.quantize.QuantizationIoException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 of model files, streamed (a sidecar may be larger than the heap). A model of several
 * files is named by its combined hash: the SHA-256 of the UTF-8 lines
 * {@code relative-path + "\0" + sha256-hex + "\n"}, one per file, sorted by relative path
 * ({@code /} separators, relative to the directory of the {@code .onnx} file).
 */
public final class FileHashes {

    private FileHashes() {
    }

    public static String sha256(Path file) {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new QuantizationIoException("cannot read " + file + " to hash it: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Each file's hash, keyed by its path relative to {@code dir}. */
    public static Map<String, String> of(Path dir, Iterable<Path> files) {
        Map<String, String> m = new TreeMap<>();
        for (Path f : files) {
            m.put(relative(dir, f), sha256(f));
        }
        return m;
    }

    public static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace('\\', '/');
    }

    /** The combined hash of a model's files (see the class comment). */
    public static String combined(Map<String, String> fileHashes) {
        MessageDigest md = digest();
        new TreeMap<>(fileHashes).forEach((path, sha) ->
                md.update((path + "\0" + sha + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
