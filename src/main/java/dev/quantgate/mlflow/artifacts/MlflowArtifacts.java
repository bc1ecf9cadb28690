package dev.quantgate.mlflow.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.mlflow.client.MlflowConfig;
import dev.quantgate.mlflow.client.MlflowException;
import dev.quantgate.mlflow.client.MlflowRest;
import dev.quantgate.worker.ArtifactException;
import dev.quantgate.worker.ArtifactPort;
import dev.quantgate.worker.DirectoryManifest;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@link ArtifactPort} on MLflow: sources resolved through MLflow's REST API, files moved through the artifact
 * proxy over HTTP/1.1 (see {@link ArtifactTransfer} for which failures are retryable). Needs no CDI: the worker
 * process builds it with {@link #MlflowArtifacts(String, String, Duration, Duration)}; the server gets it from
 * {@link MlflowArtifactsProducer}.
 *
 * <p>URIs it takes: {@code mlflow-artifacts:/...}; {@code runs:/<run>/<path>} (through the run's
 * {@code artifact_uri}); {@code models:/m-...} (a logged model's {@code artifact_uri}); {@code file:} (read and
 * written locally, for a server whose artifact store is a shared folder).
 */
public final class MlflowArtifacts implements ArtifactPort {

    private static final String LOGGED_MODEL = "models:/m-";
    private static final String RUNS = "runs:/";

    private final MlflowRest rest;
    private final ArtifactTransfer transfer;

    /**
     * @param baseUrl       MLflow's base URL, e.g. {@code http://mlflow:5000}
     * @param authorization the {@code Authorization} header's value ({@code Basic ...}, {@code Bearer ...}), or {@code null}
     */
    public MlflowArtifacts(String baseUrl, String authorization, Duration connectTimeout, Duration readTimeout) {
        this(baseUrl, authorization, connectTimeout, readTimeout, new ObjectMapper());
    }

    MlflowArtifacts(String baseUrl, String authorization, Duration connectTimeout, Duration readTimeout,
                    ObjectMapper json) {
        String url = baseUrl.trim().replaceAll("/+$", "");
        this.rest = new MlflowRest(url, authorization, connectTimeout, readTimeout, MlflowConfig.HttpVersion.HTTP_1_1,
                json);
        this.transfer = new ArtifactTransfer(rest, json);
    }

    @Override
    public String resolveModelDirectory(String model, String version, String source, String sourceRunId)
            throws ArtifactException {
        if (source != null && source.startsWith(LOGGED_MODEL)) {
            return loggedModelUri(source.substring("models:/".length()));
        }
        String uri = call("resolve " + model + " v" + version, () -> rest.get("model-versions/get-download-uri",
                MlflowRest.query("name", model, "version", version)).path("artifact_uri").asText());
        if (uri.startsWith(LOGGED_MODEL)) {
            return loggedModelUri(uri.substring("models:/".length()));
        }
        if (!uri.startsWith(RUNS)) {
            return uri;
        }
        // get-download-uri answers a runs:/ source unresolved; a model logged with MLflow 3 leaves the run's
        // folder empty and lives as the run's logged model (recorded: rest/mlflow3/legacy-*).
        RunPath runPath = RunPath.parse(uri);
        JsonNode run = run(runPath.runId());
        String directory = ArtifactPaths.join(run.path("artifact_uri").asText(), runPath.path());
        if (directory.startsWith(ArtifactPaths.PROXY_SCHEME)
                && transfer.list(ArtifactPaths.proxyPath(directory)).isEmpty()) {
            return runLoggedModelUri(run, runPath);
        }
        return directory;
    }

    @Override
    public Download downloadDirectory(String uri, Path target, long maxBytes) throws ArtifactException {
        String location = location(uri);
        if (location.startsWith("file:")) {
            return LocalFiles.copyDirectory(Path.of(URI.create(location)), target, maxBytes);
        }
        String directory = ArtifactPaths.proxyPath(location);
        List<ArtifactTransfer.Entry> files = transfer.list(directory);
        if (files.isEmpty()) {
            throw new ArtifactException("MLflow holds no files under " + uri, false);
        }
        long listed = files.stream().mapToLong(f -> Math.max(0, f.size())).sum();
        if (listed > maxBytes) {
            throw ArtifactTransfer.tooLarge(uri + " (" + listed + " bytes listed)", maxBytes);
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        long total = 0;
        try {
            for (ArtifactTransfer.Entry file : files) {
                ArtifactTransfer.Written written = transfer.download(ArtifactPaths.join(directory, file.path()),
                        target.resolve(file.path()), maxBytes - total, maxBytes);
                total += written.bytes();
                hashes.put(file.path(), written.sha256());
            }
        } catch (ArtifactException e) {
            deleteAll(target, hashes.keySet());
            throw e;
        }
        return new Download(total, hashes.size(), DirectoryManifest.manifestSha256(hashes));
    }

    @Override
    public Download downloadFile(String uri, Path target, long maxBytes) throws ArtifactException {
        String location = location(uri);
        if (location.startsWith("file:")) {
            return LocalFiles.copyFile(Path.of(URI.create(location)), target, maxBytes);
        }
        ArtifactTransfer.Written written = transfer.download(ArtifactPaths.proxyPath(location), target, maxBytes, maxBytes);
        return new Download(written.bytes(), 1, written.sha256());
    }

    @Override
    public Optional<Map<String, Long>> list(String directoryUri) throws ArtifactException {
        String location = location(directoryUri);
        if (!location.startsWith(ArtifactPaths.PROXY_SCHEME)) {
            return Optional.empty();
        }
        Map<String, Long> files = new LinkedHashMap<>();
        for (ArtifactTransfer.Entry file : transfer.list(ArtifactPaths.proxyPath(location))) {
            files.put(file.path(), file.size());
        }
        return Optional.of(files);
    }

    @Override
    public OptionalLong listedSize(String fileUri) throws ArtifactException {
        String location = location(fileUri);
        int slash = location.lastIndexOf('/');
        if (!location.startsWith(ArtifactPaths.PROXY_SCHEME) || slash <= ArtifactPaths.PROXY_SCHEME.length()) {
            return OptionalLong.empty();
        }
        String name = location.substring(slash + 1);
        for (ArtifactTransfer.Entry file : transfer.listFiles(ArtifactPaths.proxyPath(location.substring(0, slash)))) {
            if (file.path().equals(name) || file.path().endsWith("/" + name)) {
                return OptionalLong.of(file.size());
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public void uploadDirectory(Path directory, String uri) throws ArtifactException {
        String location = location(uri);
        List<Path> files = LocalFiles.filesUnder(directory);
        if (location.startsWith("file:")) {
            LocalFiles.copyTree(directory, files, Path.of(URI.create(location)));
            return;
        }
        String root = ArtifactPaths.proxyPath(location);
        for (Path file : files) {
            transfer.upload(file, ArtifactPaths.join(root, LocalFiles.relative(directory, file)));
        }
    }

    /** An {@code mlflow-artifacts:} or {@code file:} URI for any URI this port takes. */
    private String location(String uri) throws ArtifactException {
        if (uri.startsWith(ArtifactPaths.PROXY_SCHEME) || uri.startsWith("file:")) {
            return uri;
        }
        if (uri.startsWith(RUNS)) {
            RunPath runPath = RunPath.parse(uri);
            return ArtifactPaths.join(run(runPath.runId()).path("artifact_uri").asText(), runPath.path());
        }
        if (uri.startsWith(LOGGED_MODEL)) {
            return loggedModelUri(uri.substring("models:/".length()));
        }
        throw new ArtifactException("Cannot locate artifact URI '" + uri
                + "': expected mlflow-artifacts:/, runs:/, models:/m-... or file:", false);
    }

    private JsonNode run(String runId) throws ArtifactException {
        return call("read run " + runId, () -> rest.get("runs/get", MlflowRest.query("run_uuid", runId, "run_id", runId))
                .path("run").path("info"));
    }

    private String loggedModelUri(String modelId) throws ArtifactException {
        ArtifactPaths.checkRelative(modelId, "models:/");
        return call("read logged model " + modelId, () -> rest.get("logged-models/" + modelId, Map.of())
                .path("model").path("info").path("artifact_uri").asText());
    }

    /** The logged model the run produced: by {@code source_run_id}; among several, the one named like the path. */
    private String runLoggedModelUri(JsonNode run, RunPath runPath) throws ArtifactException {
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("experiment_ids", List.of(run.path("experiment_id").asText()));
        search.put("filter", "source_run_id = '" + runPath.runId() + "'");
        JsonNode models = call("find the logged model of run " + runPath.runId(),
                () -> rest.send("POST", "logged-models/search", search).path("models"));
        List<JsonNode> candidates = new ArrayList<>();
        models.forEach(candidates::add);
        if (candidates.size() > 1) {
            candidates.removeIf(m -> !runPath.path().equals(m.path("info").path("name").asText()));
        }
        if (candidates.size() != 1) {
            throw new ArtifactException("Run " + runPath.runId() + " has no files under '" + runPath.path()
                    + "' and " + (candidates.isEmpty() ? "no logged model" : candidates.size() + " logged models named '"
                    + runPath.path() + "'") + ": cannot tell where the model's files are", false);
        }
        return candidates.get(0).path("info").path("artifact_uri").asText();
    }

    private static void deleteAll(Path target, Iterable<String> written) {
        for (String relative : written) {
            try {
                Files.deleteIfExists(target.resolve(relative));
            } catch (IOException e) {
                // best effort: the caller discards the whole target folder anyway
            }
        }
    }

    private interface Call<T> {
        T get();
    }

    private static <T> T call(String what, Call<T> call) throws ArtifactException {
        try {
            return call.get();
        } catch (MlflowException e) {
            throw new ArtifactException("Cannot " + what + ": " + e.getMessage(), e.retryable(), e);
        }
    }

    /** {@code runs:/<run>/<path>}. */
    private record RunPath(String runId, String path) {
        static RunPath parse(String uri) throws ArtifactException {
            String rest = uri.substring(RUNS.length()).replaceAll("^/+", "");
            int slash = rest.indexOf('/');
            String runId = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
            if (!runId.matches("[0-9A-Za-z_-]+")) {
                throw new ArtifactException("Not a run artifact URI: '" + uri + "'", false);
            }
            ArtifactPaths.checkRelative(path, uri);
            return new RunPath(runId, path);
        }
    }
}
