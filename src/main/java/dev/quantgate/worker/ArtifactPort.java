package dev.quantgate.worker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The worker's only way to MLflow: resolve where a version's model files are, stream artifacts to disk (size
 * limit, SHA-256 while streaming) and upload the variant's files under the job's run.
 */
public interface ArtifactPort {

    /**
     * The artifact URI of the directory that holds the version's model files ({@code MLmodel} and the model),
     * resolved through MLflow: {@code runs:/} sources via {@code get-download-uri}, falling back to the run's
     * logged model when the run's {@code model/} folder is empty; {@code models:/m-…} via {@code logged-models/get}.
     */
    String resolveModelDirectory(String model, String version, String source, String sourceRunId) throws ArtifactException;

    /** Downloads every file under a directory URI into {@code target}; answers the total bytes written. */
    Download downloadDirectory(String uri, Path target, long maxBytes) throws ArtifactException;

    /** Downloads one file; answers its size and SHA-256. */
    Download downloadFile(String uri, Path target, long maxBytes) throws ArtifactException;

    /**
     * The files under a directory URI, relative paths with {@code /}, each with the size the store lists ({@code -1}
     * where it lists none); empty where this port cannot list. The worker's download cache keys on it.
     */
    default Optional<Map<String, Long>> list(String directoryUri) throws ArtifactException {
        return Optional.empty();
    }

    /**
     * The size the store lists for one file ({@code -1} where it lists none); empty where this port cannot list
     * or the file is not listed. The worker's download cache keys on it.
     */
    default OptionalLong listedSize(String fileUri) throws ArtifactException {
        return OptionalLong.empty();
    }

    /** Uploads every file under {@code directory} to {@code uri} (a directory URI under the job's run). */
    void uploadDirectory(Path directory, String uri) throws ArtifactException;

    /**
     * What a download wrote.
     *
     * @param sha256 of the single file, or for a directory of its sorted {@code path\tsha256\n} manifest
     */
    record Download(long bytes, int files, String sha256) {
    }
}
