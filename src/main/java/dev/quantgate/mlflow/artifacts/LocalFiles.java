package dev.quantgate.mlflow.artifacts;

import dev.quantgate.worker.ArtifactException;
import dev.quantgate.worker.ArtifactPort;
import dev.quantgate.worker.DirectoryManifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** {@code file:} artifact URIs (an artifact store on a shared folder): the same limits and hashes, read locally. */
final class LocalFiles {

    private LocalFiles() {
    }

    static ArtifactPort.Download copyFile(Path source, Path target, long maxBytes) throws ArtifactException {
        try (InputStream in = Files.newInputStream(source)) {
            ArtifactTransfer.Written written = ArtifactTransfer.copy(in, target, maxBytes, source.toString(), maxBytes);
            return new ArtifactPort.Download(written.bytes(), 1, written.sha256());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ArtifactException("No artifact at " + source, false, e);
        } catch (IOException e) {
            throw new ArtifactException("Cannot read " + source + ": " + e.getMessage(), true, e);
        }
    }

    static ArtifactPort.Download copyDirectory(Path source, Path target, long maxBytes) throws ArtifactException {
        List<Path> files = filesUnder(source);
        if (files.isEmpty()) {
            throw new ArtifactException("No files under " + source, false);
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        long total = 0;
        for (Path file : files) {
            String relative = relative(source, file);
            try (InputStream in = Files.newInputStream(file)) {
                ArtifactTransfer.Written written = ArtifactTransfer.copy(in, target.resolve(relative), maxBytes - total,
                        source.toString(), maxBytes);
                total += written.bytes();
                hashes.put(relative, written.sha256());
            } catch (IOException e) {
                throw new ArtifactException("Cannot read " + file + ": " + e.getMessage(), true, e);
            }
        }
        return new ArtifactPort.Download(total, hashes.size(), DirectoryManifest.manifestSha256(hashes));
    }

    /** The regular files under a folder, sorted by path. */
    static List<Path> filesUnder(Path directory) throws ArtifactException {
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new ArtifactException("Cannot list " + directory + ": " + e.getMessage(), false, e);
        }
    }

    /** A file's path under a folder, with forward slashes. */
    static String relative(Path directory, Path file) {
        return directory.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    static void copyTree(Path directory, List<Path> files, Path target) throws ArtifactException {
        for (Path file : files) {
            Path to = target.resolve(relative(directory, file));
            try {
                Files.createDirectories(to.getParent());
                Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new ArtifactException("Cannot write " + to + ": " + e.getMessage(), true, e);
            }
        }
    }
}
