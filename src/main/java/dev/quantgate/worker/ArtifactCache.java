package dev.quantgate.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Verified downloads kept between jobs: each file stored read-only under its SHA-256 ({@code blobs/<sha256>}), each
 * download (a key naming what MLflow identifies immutably: the resolved URI and the listed sizes) mapped to the
 * files it wrote (hard-linked from the job's download where it can be, else copied). A hit hard-links (or, across file systems, copies) the files into the job's work directory and
 * hashes them there again, so the hashes a job records are those of the bytes it reads; a file whose hash no longer
 * matches is dropped with every entry that names it and the caller downloads again. Bounded by {@code maxBytes}
 * (distinct files counted once), least recently used entries evicted first; {@code 0} disables it. The index lives
 * in memory: the blobs left by an earlier process are deleted when the cache opens (one cache folder per worker
 * process). Thread-safe; a job's work directory only ever holds links or copies, so deleting it leaves the cache whole.
 */
public final class ArtifactCache {

    /** One stored file. */
    public record Blob(String sha256, long bytes) {
    }

    private static final String SHA256_NAME = "[0-9a-f]{64}";

    private final Path blobs;
    private final long maxBytes;
    private final LinkedHashMap<String, SortedMap<String, Blob>> entries = new LinkedHashMap<>(16, 0.75f, true);

    private ArtifactCache(Path blobs, long maxBytes) {
        this.blobs = blobs;
        this.maxBytes = maxBytes;
    }

    /** A cache that keeps nothing. */
    public static ArtifactCache disabled() {
        return new ArtifactCache(null, 0);
    }

    /** Opens the cache under {@code dir} (made if missing), emptied of an earlier process's files; 0 bytes disables it. */
    public static ArtifactCache open(Path dir, long maxBytes) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("the cache's size limit must be 0 (off) or positive, was " + maxBytes);
        }
        if (maxBytes == 0) {
            return disabled();
        }
        Path blobs = Files.createDirectories(Objects.requireNonNull(dir, "dir").resolve("blobs"));
        try (DirectoryStream<Path> old = Files.newDirectoryStream(blobs)) {
            for (Path p : old) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && (name.matches(SHA256_NAME) || name.startsWith(".tmp-"))) {
                    Files.delete(p);
                }
            }
        }
        return new ArtifactCache(blobs, maxBytes);
    }

    public boolean enabled() {
        return maxBytes > 0;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes held (each distinct file once). */
    public synchronized long bytes() {
        return distinctBlobs().values().stream().mapToLong(Blob::bytes).sum();
    }

    /** Whether an entry is held under {@code key} (does not count as a use). */
    public synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }

    /**
     * Places the files of the entry under {@code key} into {@code target} (paths relative to it; {@code ""} is
     * {@code target} itself) and verifies each by its SHA-256; answers them, or empty on a miss or when a file failed
     * verification (then nothing it placed is left and the entry is gone).
     */
    public synchronized Optional<SortedMap<String, Blob>> place(String key, Path target) {
        SortedMap<String, Blob> entry = enabled() ? entries.get(key) : null;
        if (entry == null) {
            return Optional.empty();
        }
        List<Path> placed = new ArrayList<>();
        for (Map.Entry<String, Blob> file : entry.entrySet()) {
            Path to = file.getKey().isEmpty() ? target : target.resolve(file.getKey());
            try {
                link(blobs.resolve(file.getValue().sha256()), to);
                placed.add(to);
                if (!DirectoryManifest.sha256(to).equals(file.getValue().sha256())) {
                    throw new IOException("hash mismatch");
                }
            } catch (IOException | RuntimeException e) {
                for (Path p : placed) {
                    deleteQuietly(p);
                }
                drop(file.getValue().sha256());
                return Optional.empty();
            }
        }
        return Optional.of(Collections.unmodifiableSortedMap(entry));
    }

    /**
     * Keeps a verified download: {@code files} maps each relative path to the file the job wrote and the SHA-256
     * the download computed. Each file is copied in while hashed again; any mismatch or failure keeps nothing (a
     * cache is never a reason for a job to fail). An entry larger than the whole cache is not kept.
     */
    public synchronized void put(String key, Map<String, Path> files, Map<String, String> sha256) {
        if (!enabled()) {
            return;
        }
        try {
            long size = 0;
            for (Path p : files.values()) {
                size += Files.size(p);
            }
            if (size > maxBytes) {
                return;
            }
            SortedMap<String, Blob> entry = new TreeMap<>();
            for (Map.Entry<String, Path> file : files.entrySet()) {
                String expected = sha256.get(file.getKey());
                if (expected == null || !expected.matches(SHA256_NAME)) {
                    return;
                }
                entry.put(file.getKey(), new Blob(expected, store(file.getValue(), expected)));
            }
            entries.put(key, entry);
            evict(key);
        } catch (IOException | RuntimeException e) {
            removeUnreferenced();
        }
    }

    /**
     * Puts a file into the blobs under its hash (already there: kept) and answers its size: hard-linked where the
     * cache shares the file system with the job (the file made read-only, and hashed again on every hit, so a later
     * change to it is caught there), else copied while hashed again.
     */
    private long store(Path source, String expected) throws IOException {
        Path blob = blobs.resolve(expected);
        if (Files.isRegularFile(blob)) {
            return Files.size(blob);
        }
        Path linked = blobs.resolve(".tmp-link-" + expected);
        try {
            Files.deleteIfExists(linked);
            Files.createLink(linked, source);
            linked.toFile().setReadOnly();
            Files.move(linked, blob, StandardCopyOption.ATOMIC_MOVE);
            return Files.size(blob);
        } catch (IOException | UnsupportedOperationException e) {
            Files.deleteIfExists(linked); // another file system, or no links there: copy below
        }
        Path tmp = Files.createTempFile(blobs, ".tmp-", "");
        try {
            MessageDigest md = DirectoryManifest.digest();
            try (InputStream in = new DigestInputStream(Files.newInputStream(source), md)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!DirectoryManifest.hex(md.digest()).equals(expected)) {
                throw new IOException("the file changed since it was downloaded: " + source);
            }
            tmp.toFile().setReadOnly();
            try {
                Files.move(tmp, blob, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, blob);
            }
            return Files.size(blob);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void link(Path blob, Path to) throws IOException {
        Files.createDirectories(to.toAbsolutePath().getParent());
        Files.deleteIfExists(to);
        try {
            Files.createLink(to, blob);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(blob, to);
        }
    }

    /** Least recently used entries out until the cache fits; {@code keep} (just added) stays. */
    private void evict(String keep) {
        Iterator<Map.Entry<String, SortedMap<String, Blob>>> it = entries.entrySet().iterator();
        while (bytes() > maxBytes && it.hasNext()) {
            if (!it.next().getKey().equals(keep)) {
                it.remove();
            }
        }
        removeUnreferenced();
    }

    /** A corrupt file out, with every entry that names it. */
    private void drop(String sha256) {
        entries.values().removeIf(e -> e.values().stream().anyMatch(b -> b.sha256().equals(sha256)));
        deleteQuietly(blobs.resolve(sha256));
        removeUnreferenced();
    }

    private void removeUnreferenced() {
        Set<String> used = new HashSet<>(distinctBlobs().keySet());
        try (DirectoryStream<Path> all = Files.newDirectoryStream(blobs)) {
            for (Path p : all) {
                String name = p.getFileName().toString();
                if (name.matches(SHA256_NAME) && !used.contains(name)) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException e) {
            // best effort: an unreferenced file is only wasted space until the next cleanup
        }
    }

    private Map<String, Blob> distinctBlobs() {
        Map<String, Blob> all = new LinkedHashMap<>();
        entries.values().forEach(e -> e.values().forEach(b -> all.put(b.sha256(), b)));
        return all;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }
}
