package dev.quantgate.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a directory with their SHA-256, and the directory's own hash as {@link ArtifactPort.Download} defines
 * it: the SHA-256 of the sorted {@code path\tsha256\n} lines, paths relative to the directory with {@code /}.
 */
public record DirectoryManifest(SortedMap<String, String> files, long bytes, String sha256) {

    public DirectoryManifest {
        files = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /** Hashes every regular file under {@code dir}; hidden temporary files (a leading dot) are left out. */
    public static DirectoryManifest of(Path dir) throws IOException {
        SortedMap<String, String> files = new TreeMap<>();
        long bytes = 0;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.filter(Files::isRegularFile).toList();
        }
        for (Path p : all) {
            String rel = dir.relativize(p).toString().replace(java.io.File.separatorChar, '/');
            if (rel.startsWith(".") || rel.contains("/.")) {
                continue;
            }
            files.put(rel, sha256(p));
            bytes += Files.size(p);
        }
        return new DirectoryManifest(files, bytes, manifestSha256(files));
    }

    /** SHA-256 over the sorted {@code path\tsha256\n} lines. */
    public static String manifestSha256(Map<String, String> files) {
        StringBuilder lines = new StringBuilder();
        new TreeMap<>(files).forEach((path, sha) -> lines.append(path).append('\t').append(sha).append('\n'));
        return hex(digest().digest(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return hex(md.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Deletes what a directory holds and keeps the directory, best effort (a work directory to start over in). */
    public static void deleteContents(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            children.forEach(DirectoryManifest::deleteTree);
        } catch (IOException e) {
            // best effort, as deleteTree
        }
    }

    /** Deletes a directory tree, best effort (a work directory after its job). */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: the next job gets a fresh directory of its own
        }
    }
}
