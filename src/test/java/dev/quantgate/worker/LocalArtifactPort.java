package dev.quantgate.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * An {@link ArtifactPort} over {@code file:} URIs: a version's source is its directory's URI, downloads stream with
 * the real size limit and SHA-256, uploads copy into the store; lists sizes like MLflow. {@link #unreachable}
 * makes every call an outage; {@link #downloads} counts the downloads (directories and files) that read bytes.
 */
final class LocalArtifactPort implements ArtifactPort {

    final AtomicBoolean unreachable = new AtomicBoolean();
    final AtomicInteger downloads = new AtomicInteger();

    private static Path path(String uri) throws ArtifactException {
        try {
            return Path.of(URI.create(uri));
        } catch (RuntimeException e) {
            throw new ArtifactException("not a file: URI: " + uri, false, e);
        }
    }

    private void reachable() throws ArtifactException {
        if (unreachable.get()) {
            throw new ArtifactException("MLflow answered 503 Service Unavailable", true);
        }
    }

    @Override
    public String resolveModelDirectory(String model, String version, String source, String sourceRunId)
            throws ArtifactException {
        reachable();
        return source;
    }

    @Override
    public Download downloadDirectory(String uri, Path target, long maxBytes) throws ArtifactException {
        reachable();
        downloads.incrementAndGet();
        Path dir = path(uri);
        if (!Files.isDirectory(dir)) {
            throw new ArtifactException("no artifact directory at " + uri, false);
        }
        try {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            long total = 0;
            for (Path f : files) {
                Path to = target.resolve(dir.relativize(f).toString());
                Files.createDirectories(to.getParent());
                total += copy(f, to, maxBytes - total, uri);
            }
            DirectoryManifest m = DirectoryManifest.of(target);
            return new Download(total, m.files().size(), m.sha256());
        } catch (IOException e) {
            throw new ArtifactException("cannot copy " + uri + ": " + e, true, e);
        } catch (ArtifactException e) {
            DirectoryManifest.deleteTree(target);
            throw e;
        }
    }

    @Override
    public Download downloadFile(String uri, Path target, long maxBytes) throws ArtifactException {
        reachable();
        downloads.incrementAndGet();
        Path file = path(uri);
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            long n = copy(file, target, maxBytes, uri);
            return new Download(n, 1, DirectoryManifest.sha256(target));
        } catch (NoSuchFileException e) {
            throw new ArtifactException("no artifact at " + uri, false, e);
        } catch (IOException e) {
            throw new ArtifactException("cannot copy " + uri + ": " + e, true, e);
        }
    }

    @Override
    public Optional<Map<String, Long>> list(String directoryUri) throws ArtifactException {
        reachable();
        Path dir = path(directoryUri);
        if (!Files.isDirectory(dir)) {
            return Optional.of(Map.of());
        }
        Map<String, Long> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                files.put(dir.relativize(f).toString().replace(java.io.File.separatorChar, '/'), Files.size(f));
            }
        } catch (IOException e) {
            throw new ArtifactException("cannot list " + directoryUri + ": " + e, true, e);
        }
        return Optional.of(files);
    }

    @Override
    public OptionalLong listedSize(String fileUri) throws ArtifactException {
        reachable();
        Path file = path(fileUri);
        try {
            return Files.isRegularFile(file) ? OptionalLong.of(Files.size(file)) : OptionalLong.empty();
        } catch (IOException e) {
            throw new ArtifactException("cannot list " + fileUri + ": " + e, true, e);
        }
    }

    /** Streams one file, refusing (and removing what it wrote) once it passes {@code budget} bytes. */
    private static long copy(Path from, Path to, long budget, String uri) throws IOException, ArtifactException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
                if (n > budget) {
                    out.close();
                    Files.deleteIfExists(to);
                    throw new ArtifactException(uri + " is over the size limit: more than " + budget
                            + " bytes left of the limit", false);
                }
                out.write(buf, 0, r);
            }
        }
        return n;
    }

    @Override
    public void uploadDirectory(Path directory, String uri) throws ArtifactException {
        reachable();
        Path dir = path(uri);
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                Path to = dir.resolve(directory.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ArtifactException("cannot upload to " + uri + ": " + e, true, e);
        }
    }
}
