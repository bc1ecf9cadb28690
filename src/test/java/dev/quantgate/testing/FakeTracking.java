package dev.quantgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.quantgate.testing.FakeAnswers.JSON;
import static dev.quantgate.testing.FakeAnswers.error;
import static dev.quantgate.testing.FakeAnswers.errorReplacing;
import static dev.quantgate.testing.FakeAnswers.json;
import static dev.quantgate.testing.FakeAnswers.keyValues;
import static dev.quantgate.testing.FakeAnswers.object;
import static dev.quantgate.testing.FakeAnswers.ok;
import static dev.quantgate.testing.FakeAnswers.query;

/**
 * The tracking side of {@link FakeMlflow}: experiments, runs (params, metrics, tags, status), MLflow 3 logged
 * models and the artifact proxy's bytes, answering in the shapes recorded in
 * {@code ../shared/mlflow-fixtures/rest/mlflow3/}. Guarded by the {@link FakeMlflow}'s lock.
 */
public final class FakeTracking {

    public static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";
    private static final Pattern TAG_FILTER = Pattern.compile("^\\s*tags\\.`([^`]+)`\\s*=\\s*'([^']*)'\\s*$");
    private static final Pattern FIELD_FILTER = Pattern.compile("^\\s*(source_run_id|name)\\s*=\\s*'([^']*)'\\s*$");

    private final Map<String, Experiment> experiments = new LinkedHashMap<>();
    private final Map<String, RunState> runs = new LinkedHashMap<>();
    private final Map<String, LoggedModel> loggedModels = new LinkedHashMap<>();
    private final Map<String, byte[]> artifacts = new TreeMap<>();
    private int nextExperiment = 1;

    public record Experiment(String id, String name) {
    }

    /** A run as the fake holds it; tests read its params, metrics, tags and status. */
    public static final class RunState {
        public final String id;
        public final String experimentId;
        public final String name;
        public final long startTime;
        public Long endTime;
        public String status = "RUNNING";
        public final Map<String, String> params = new LinkedHashMap<>();
        /** Latest value per key. */
        public final Map<String, Double> metrics = new LinkedHashMap<>();
        /** Every metric logged, duplicates (same key, value, timestamp, step) left out as MLflow does. */
        public final List<List<Object>> metricHistory = new ArrayList<>();
        public final Map<String, String> tags = new LinkedHashMap<>();
        public final List<String> modelOutputs = new ArrayList<>();

        RunState(String id, String experimentId, String name, long startTime) {
            this.id = id;
            this.experimentId = experimentId;
            this.name = name;
            this.startTime = startTime;
        }

        public String artifactUri() {
            return "mlflow-artifacts:/" + experimentId + "/" + id + "/artifacts";
        }
    }

    /** An MLflow 3 logged model: files at {@code mlflow-artifacts:/<exp>/models/<id>/artifacts}. */
    public record LoggedModel(String id, String experimentId, String name, String sourceRunId) {
        public String artifactUri() {
            return "mlflow-artifacts:/" + experimentId + "/models/" + id + "/artifacts";
        }
    }

    // ---- test helpers (called through FakeMlflow, under its lock) ---------------------------------

    void clear() {
        experiments.clear();
        runs.clear();
        loggedModels.clear();
        artifacts.clear();
        nextExperiment = 1;
    }

    Experiment experiment(String name) {
        return experiments.computeIfAbsent(name, n -> new Experiment(Integer.toString(nextExperiment++), n));
    }

    Experiment findExperiment(String name) {
        return experiments.get(name);
    }

    RunState createRun(String experimentId, String name, long startTime) {
        String id = UUID.randomUUID().toString().replace("-", "");
        RunState run = new RunState(id, experimentId, name, startTime);
        runs.put(id, run);
        return run;
    }

    List<RunState> runs() {
        return List.copyOf(runs.values());
    }

    RunState run(String id) {
        return runs.get(id);
    }

    LoggedModel logModel(RunState run, String name) {
        LoggedModel model = new LoggedModel("m-" + UUID.randomUUID().toString().replace("-", ""), run.experimentId,
                name, run.id);
        loggedModels.put(model.id(), model);
        run.modelOutputs.add(model.id());
        return model;
    }

    LoggedModel loggedModel(String id) {
        return loggedModels.get(id);
    }

    void putArtifact(String path, byte[] bytes) {
        artifacts.put(trim(path), bytes.clone());
    }

    byte[] artifact(String path) {
        byte[] bytes = artifacts.get(trim(path));
        return bytes == null ? null : bytes.clone();
    }

    // ---- REST -------------------------------------------------------------------------------------

    /** The answer to a tracking call, or {@code null} when {@code op} is not one. */
    ResponseDefinition answer(String op, Request request, JsonNode body, long now) throws IOException {
        switch (op) {
            case "GET /experiments/get-by-name" -> {
                Experiment e = experiments.get(query(request, "experiment_name"));
                if (e == null) {
                    return error("mlflow3/qg-experiments-get-by-name--error-not-found",
                            Map.of("experiment_name", query(request, "experiment_name")));
                }
                ObjectNode n = JSON.createObjectNode().put("experiment_id", e.id()).put("name", e.name())
                        .put("artifact_location", "mlflow-artifacts:/" + e.id()).put("lifecycle_stage", "active")
                        .put("last_update_time", now).put("creation_time", now);
                return ok(object("experiment", n));
            }
            case "POST /experiments/create" -> {
                String name = body.path("name").asText();
                if (experiments.containsKey(name)) {
                    return error("experiments-create--error-already-exists", Map.of("name", name));
                }
                return ok(JSON.createObjectNode().put("experiment_id", experiment(name).id()));
            }
            case "POST /runs/create" -> {
                RunState run = createRun(body.path("experiment_id").asText(), body.path("run_name").asText(),
                        body.path("start_time").asLong(now));
                body.path("tags").forEach(t -> run.tags.put(t.path("key").asText(), t.path("value").asText()));
                run.tags.put("mlflow.runName", run.name);
                return ok(object("run", runJson(run)));
            }
            case "POST /runs/search" -> {
                return searchRuns(body);
            }
            case "GET /runs/get" -> {
                String id = query(request, "run_id") != null ? query(request, "run_id") : query(request, "run_uuid");
                RunState run = runs.get(id);
                if (run == null) {
                    return error("runs-get--error-not-found", Map.of("run_id", String.valueOf(id)));
                }
                return ok(object("run", runJson(run)));
            }
            case "POST /runs/log-batch" -> {
                return logBatch(body);
            }
            case "POST /runs/update" -> {
                RunState run = runs.get(body.path("run_id").asText());
                if (run == null) {
                    return error("runs-get--error-not-found", Map.of("run_id", body.path("run_id").asText()));
                }
                run.status = body.path("status").asText(run.status);
                if (body.has("end_time")) {
                    run.endTime = body.path("end_time").asLong();
                }
                return ok(object("run_info", runJson(run).path("info")));
            }
            case "POST /logged-models/search" -> {
                return searchLoggedModels(body);
            }
            default -> {
                if (op.startsWith("GET /logged-models/m-")) {
                    String id = op.substring("GET /logged-models/".length());
                    LoggedModel model = loggedModels.get(id);
                    if (model == null) {
                        return errorReplacing("mlflow3/qg-logged-models-get--error-not-found",
                                "m-00000000000000000000000000000000", id);
                    }
                    return ok(object("model", loggedModelJson(model)));
                }
                return null;
            }
        }
    }

    private ResponseDefinition searchRuns(JsonNode body) throws IOException {
        String filter = body.path("filter").asText("");
        Matcher tag = TAG_FILTER.matcher(filter);
        if (!filter.isBlank() && !tag.matches()) {
            return error("mlflow3/qg-runs-search--error-bad-filter", Map.of());
        }
        List<String> experimentIds = new ArrayList<>();
        body.path("experiment_ids").forEach(id -> experimentIds.add(id.asText()));
        ObjectNode answer = JSON.createObjectNode();
        for (RunState run : runs.values()) {
            if (experimentIds.contains(run.experimentId) && (filter.isBlank() || tag.group(2).equals(run.tags.get(tag.group(1))))) {
                (answer.has("runs") ? (ArrayNode) answer.get("runs") : answer.putArray("runs")).add(runJson(run));
            }
        }
        return ok(answer);
    }

    private ResponseDefinition logBatch(JsonNode body) throws IOException {
        RunState run = runs.get(body.path("run_id").asText());
        if (run == null) {
            return error("runs-get--error-not-found", Map.of("run_id", body.path("run_id").asText()));
        }
        for (JsonNode p : body.path("params")) {
            String old = run.params.get(p.path("key").asText());
            if (old != null && !old.equals(p.path("value").asText())) {
                // MLflow's words (not recorded): params are write-once
                return json(400, "{\"error_code\": \"INVALID_PARAMETER_VALUE\", \"message\": \"Changing param values is"
                        + " not allowed. Param with key='" + p.path("key").asText() + "' was already logged with value='"
                        + old + "' for run ID='" + run.id + "'. Attempted logging new value '" + p.path("value").asText() + "'.\"}");
            }
        }
        body.path("params").forEach(p -> run.params.put(p.path("key").asText(), p.path("value").asText()));
        for (JsonNode m : body.path("metrics")) {
            List<Object> point = List.of(m.path("key").asText(), m.path("value").asDouble(), m.path("timestamp").asLong(),
                    m.path("step").asLong());
            if (!run.metricHistory.contains(point)) {
                run.metricHistory.add(point);
                run.metrics.put(m.path("key").asText(), m.path("value").asDouble());
            }
        }
        body.path("tags").forEach(t -> run.tags.put(t.path("key").asText(), t.path("value").asText()));
        return ok(JSON.createObjectNode());
    }

    private ResponseDefinition searchLoggedModels(JsonNode body) throws IOException {
        String filter = body.path("filter").asText("");
        Matcher field = FIELD_FILTER.matcher(filter);
        boolean filtered = !filter.isBlank() && field.matches();
        List<String> experimentIds = new ArrayList<>();
        body.path("experiment_ids").forEach(id -> experimentIds.add(id.asText()));
        ObjectNode answer = JSON.createObjectNode();
        for (LoggedModel model : loggedModels.values()) {
            String value = !filtered ? null : field.group(1).equals("name") ? model.name() : model.sourceRunId();
            if (experimentIds.contains(model.experimentId()) && (!filtered || field.group(2).equals(value))) {
                (answer.has("models") ? (ArrayNode) answer.get("models") : answer.putArray("models"))
                        .add(loggedModelJson(model));
            }
        }
        return ok(answer);
    }

    /** The artifact proxy: PUT stores, GET serves or lists ({@code ?path=}). */
    ResponseDefinition proxy(Request request) throws IOException {
        String path = request.getUrl().replaceAll("\\?.*", "");
        String method = request.getMethod().getName();
        if (path.equals(PROXY) && method.equals("GET")) {
            return ok(list(trim(String.valueOf(query(request, "path")))));
        }
        String file = trim(java.net.URLDecoder.decode(path.substring(PROXY.length()), java.nio.charset.StandardCharsets.UTF_8));
        if (method.equals("PUT")) {
            artifacts.put(file, request.getBody());
            return ok(JSON.createObjectNode());
        }
        byte[] bytes = artifacts.get(file);
        if (bytes == null) {
            return errorReplacing("artifacts-download--error-not-found",
                    "1/2a53c6c0592b43919359cc3e5694dd7a/artifacts/model/does-not-exist.txt", file);
        }
        return ResponseDefinitionBuilder.responseDefinition().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream").withBody(bytes).build();
    }

    /** Direct children of a folder: files with their size, folders once each; {@code {}} when none (recorded). */
    private ObjectNode list(String directory) {
        String prefix = directory.isEmpty() ? "" : directory + "/";
        Map<String, Long> children = new TreeMap<>();
        artifacts.forEach((path, bytes) -> {
            if (path.startsWith(prefix)) {
                String rest = path.substring(prefix.length());
                int slash = rest.indexOf('/');
                children.put(slash < 0 ? rest : rest.substring(0, slash), slash < 0 ? (long) bytes.length : -1L);
            }
        });
        ObjectNode answer = JSON.createObjectNode();
        if (!children.isEmpty()) {
            ArrayNode files = answer.putArray("files");
            children.forEach((name, size) -> {
                ObjectNode f = files.addObject().put("path", name).put("is_dir", size < 0);
                if (size >= 0) {
                    f.put("file_size", size);
                }
            });
        }
        return answer;
    }

    private ObjectNode runJson(RunState run) {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode info = n.putObject("info").put("run_uuid", run.id).put("experiment_id", run.experimentId)
                .put("run_name", run.name).put("user_id", "").put("status", run.status).put("start_time", run.startTime);
        if (run.endTime != null) {
            info.put("end_time", run.endTime);
        }
        info.put("artifact_uri", run.artifactUri()).put("lifecycle_stage", "active").put("run_id", run.id);
        ObjectNode data = n.putObject("data");
        if (!run.metricHistory.isEmpty()) {
            Map<String, List<Object>> latest = new LinkedHashMap<>();
            run.metricHistory.forEach(p -> latest.put((String) p.get(0), p));
            ArrayNode metrics = data.putArray("metrics");
            latest.values().forEach(p -> metrics.addObject().put("key", (String) p.get(0)).put("value", (Double) p.get(1))
                    .put("timestamp", (Long) p.get(2)).put("step", (Long) p.get(3)));
        }
        keyValues(data, "params", run.params);
        keyValues(data, "tags", run.tags);
        n.putObject("inputs");
        if (!run.modelOutputs.isEmpty()) {
            ArrayNode outputs = n.putObject("outputs").putArray("model_outputs");
            run.modelOutputs.forEach(id -> outputs.addObject().put("model_id", id).put("step", 0));
        }
        return n;
    }

    private ObjectNode loggedModelJson(LoggedModel model) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("info").put("model_id", model.id()).put("experiment_id", model.experimentId())
                .put("name", model.name()).put("artifact_uri", model.artifactUri()).put("status", "LOGGED_MODEL_READY")
                .put("model_type", "").put("source_run_id", model.sourceRunId());
        n.putObject("data");
        return n;
    }

    private static String trim(String path) {
        return path.replaceAll("^/+", "").replaceAll("/+$", "");
    }
}
