package dev.quantgate.mlflow.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.mlflow.client.MlflowRest;
import dev.quantgate.worker.ArtifactException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Streams through MLflow's artifact proxy ({@code /api/2.0/mlflow-artifacts/artifacts}): lists a directory,
 * downloads one file to disk under a byte budget while hashing it, uploads one file with PUT.
 *
 * <p>How answers map: 2xx is success; unreachable, 429 and 5xx are retryable, except MLflow's 500
 * {@code INTERNAL_ERROR} for a missing file ("No such file or directory", recorded), which no retry can mend;
 * 400, 401, 403 and 404 are permanent.
 */
final class ArtifactTransfer {

    private static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";
    private static final int BUFFER = 64 * 1024;

    /** A file listed under a directory; {@code path} relative to it. */
    record Entry(String path, long size) {
    }

    /** What one file download wrote. */
    record Written(long bytes, String sha256) {
    }

    private final MlflowRest rest;
    private final ObjectMapper json;

    ArtifactTransfer(MlflowRest rest, ObjectMapper json) {
        this.rest = rest;
        this.json = json;
    }

    /** Every file under a proxy directory, recursively, in MLflow's order; names checked for traversal. */
    List<Entry> list(String directory) throws ArtifactException {
        List<Entry> files = new ArrayList<>();
        list(directory, "", files);
        return files;
    }

    /** The files directly in a proxy directory (sub-folders left out), paths as MLflow lists them. */
    List<Entry> listFiles(String directory) throws ArtifactException {
        List<Entry> files = new ArrayList<>();
        for (JsonNode file : listing(directory).path("files")) {
            String name = file.path("path").asText();
            ArtifactPaths.checkRelative(name, directory);
            if (!file.path("is_dir").asBoolean()) {
                files.add(new Entry(name, file.path("file_size").asLong(-1)));
            }
        }
        return files;
    }

    private JsonNode listing(String where) throws ArtifactException {
        HttpRequest request = rest.request(PROXY + "?path=" + ArtifactPaths.query(where))
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8),
                "list " + where);
        check(response.statusCode(), response.body(), "list " + where);
        try {
            return json.readTree(response.body() == null || response.body().isBlank() ? "{}" : response.body());
        } catch (IOException e) {
            throw new ArtifactException("MLflow listed " + where + " with a body that is not JSON", false, e);
        }
    }

    private void list(String root, String relative, List<Entry> into) throws ArtifactException {
        String where = ArtifactPaths.join(root, relative);
        HttpRequest request = rest.request(PROXY + "?path=" + ArtifactPaths.query(where))
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8),
                "list " + where);
        check(response.statusCode(), response.body(), "list " + where);
        JsonNode answer;
        try {
            answer = json.readTree(response.body() == null || response.body().isBlank() ? "{}" : response.body());
        } catch (IOException e) {
            throw new ArtifactException("MLflow listed " + where + " with a body that is not JSON", false, e);
        }
        for (JsonNode file : answer.path("files")) {
            String name = file.path("path").asText();
            ArtifactPaths.checkRelative(name, where);
            String child = ArtifactPaths.join(relative, name);
            if (file.path("is_dir").asBoolean()) {
                list(root, child, into);
            } else {
                into.add(new Entry(child, file.path("file_size").asLong(-1)));
            }
        }
    }

    /**
     * Downloads a proxy file to {@code target}, at most {@code budget} bytes; over it, the partial file is
     * deleted and the download refused (naming {@code limit}, the caller's whole limit).
     */
    Written download(String path, Path target, long budget, long limit) throws ArtifactException {
        HttpRequest request = rest.request(PROXY + "/" + ArtifactPaths.encode(path)).GET().build();
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream(), "download " + path);
        try (InputStream body = response.body()) {
            if (response.statusCode() >= 300) {
                check(response.statusCode(), new String(body.readNBytes(8192), StandardCharsets.UTF_8), "download " + path);
            }
            return copy(body, target, budget, path, limit);
        } catch (IOException e) {
            throw new ArtifactException("Download of " + path + " from MLflow broke off: " + e.getMessage(), true, e);
        }
    }

    /** Uploads one local file to a proxy path. */
    void upload(Path file, String path) throws ArtifactException {
        HttpRequest request;
        try {
            request = rest.request(PROXY + "/" + ArtifactPaths.encode(path))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)).build();
        } catch (IOException e) {
            throw new ArtifactException("Cannot read " + file + " to upload it: " + e.getMessage(), false, e);
        }
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8),
                "upload " + path);
        check(response.statusCode(), response.body(), "upload " + path);
    }

    /**
     * Streams {@code in} to {@code target} while hashing it, at most {@code budget} bytes; over it, or on any
     * failure, the partial file is deleted.
     */
    static Written copy(InputStream in, Path target, long budget, String what, long limit)
            throws ArtifactException, IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        MessageDigest sha = sha256();
        long written = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), sha)) {
            byte[] buffer = new byte[BUFFER];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                written += n;
                if (written > budget) {
                    throw tooLarge(what, limit);
                }
                out.write(buffer, 0, n);
            }
        } catch (ArtifactException | IOException | RuntimeException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        return new Written(written, HexFormat.of().formatHex(sha.digest()));
    }

    static ArtifactException tooLarge(String what, long limit) {
        return new ArtifactException("Artifact " + what + " is over the size limit of " + limit + " bytes", false);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String operation)
            throws ArtifactException {
        try {
            return rest.http().send(request, handler);
        } catch (IOException e) {
            throw new ArtifactException("MLflow at " + rest.baseUrl() + " cannot be reached to " + operation
                    + " (" + e.getClass().getSimpleName() + ")", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArtifactException("Interrupted while trying to " + operation, true, e);
        }
    }

    private void check(int status, String body, String operation) throws ArtifactException {
        if (status < 300) {
            return;
        }
        String message = body == null ? "" : body;
        String code = null;
        try {
            JsonNode error = json.readTree(message);
            if (error != null && error.hasNonNull("error_code")) {
                code = error.get("error_code").asText();
                message = error.path("message").asText("");
            }
        } catch (IOException notJson) {
            // keep the raw text
        }
        boolean missing = status == 404 || (status == 500 && "INTERNAL_ERROR".equals(code)
                && message.contains("No such file or directory"));
        boolean retryable = !missing && (status == 429 || status >= 500);
        String clipped = message.length() > 300 ? message.substring(0, 300) + "..." : message;
        throw new ArtifactException((missing ? "MLflow has no artifact to " : "MLflow refused to ") + operation + ": "
                + status + (code == null ? "" : " " + code) + (clipped.isBlank() ? "" : " " + clipped), retryable);
    }
}
