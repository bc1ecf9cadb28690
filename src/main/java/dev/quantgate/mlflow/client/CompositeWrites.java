package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The REST calls of each {@link MlflowWrite.Composite}, in the shapes recorded from MLflow 3.5
 * ({@code ../shared/mlflow-fixtures/rest/mlflow3/qg-*}). Each looks for its own earlier attempt first.
 */
final class CompositeWrites {

    private static final String RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS";

    private final MlflowRest rest;
    private final ObjectMapper json;

    CompositeWrites(MlflowRest rest, ObjectMapper json) {
        this.rest = rest;
        this.json = json;
    }

    JsonNode execute(MlflowWrite.Composite write, Instant at) {
        if (write instanceof MlflowWrite.CreateJobRun run) {
            return createJobRun(run, at.toEpochMilli());
        }
        if (write instanceof MlflowWrite.LogRunResults results) {
            return logRunResults(results, at.toEpochMilli());
        }
        return createVariantVersion((MlflowWrite.CreateVariantVersion) write);
    }

    private JsonNode createJobRun(MlflowWrite.CreateJobRun write, long at) {
        String experimentId = experimentId(write.experimentName());
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("experiment_ids", List.of(experimentId));
        search.put("filter", jobFilter(write.jobId()));
        search.put("max_results", 10);
        JsonNode found = rest.send("POST", "runs/search", search).path("runs");
        JsonNode info;
        if (found.size() > 0) {
            info = found.get(0).path("info");
        } else {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(MlflowWrite.JOB_TAG, Long.toString(write.jobId()));
            tags.put("quantgate.source_version", write.model() + "/" + write.version());
            tags.putAll(write.tags());
            Map<String, Object> create = new LinkedHashMap<>();
            create.put("experiment_id", experimentId);
            create.put("run_name", write.runName());
            create.put("start_time", at);
            create.put("tags", keyValues(tags));
            info = rest.send("POST", "runs/create", create).path("run").path("info");
        }
        ObjectNode answer = json.createObjectNode();
        answer.put("run_id", info.path("run_id").asText());
        answer.put("experiment_id", info.path("experiment_id").asText());
        answer.put("artifact_uri", info.path("artifact_uri").asText());
        return answer;
    }

    /** The experiment's id, creating the experiment when MLflow has none of that name (once, even in a race). */
    private String experimentId(String name) {
        try {
            return getExperimentByName(name);
        } catch (MlflowApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        try {
            return rest.send("POST", "experiments/create", Map.of("name", name)).path("experiment_id").asText();
        } catch (MlflowApiException e) {
            if (!RESOURCE_ALREADY_EXISTS.equals(e.errorCode())) {
                throw e;
            }
            return getExperimentByName(name); // created by someone else meanwhile
        }
    }

    private String getExperimentByName(String name) {
        return rest.get("experiments/get-by-name", Map.of("experiment_name", name))
                .path("experiment").path("experiment_id").asText();
    }

    private JsonNode logRunResults(MlflowWrite.LogRunResults write, long at) {
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("run_id", write.runId());
        batch.put("params", keyValues(write.params()));
        List<Map<String, Object>> metrics = new ArrayList<>();
        write.metrics().forEach((key, value) -> {
            Map<String, Object> metric = new LinkedHashMap<>();
            metric.put("key", key);
            metric.put("value", value);
            metric.put("timestamp", at);
            metric.put("step", 0);
            metrics.add(metric);
        });
        batch.put("metrics", metrics);
        if (!write.tags().isEmpty()) {
            batch.put("tags", keyValues(write.tags()));
        }
        rest.send("POST", "runs/log-batch", batch);
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("run_id", write.runId());
        update.put("status", write.status());
        update.put("end_time", at);
        return rest.send("POST", "runs/update", update);
    }

    private JsonNode createVariantVersion(MlflowWrite.CreateVariantVersion write) {
        JsonNode found = rest.get("model-versions/search", Map.of("filter", jobFilter(write.jobId())))
                .path("model_versions");
        for (JsonNode version : found) {
            if (write.model().equals(version.path("name").asText())) {
                return versionAnswer(version);
            }
        }
        Map<String, String> tags = new LinkedHashMap<>(write.tags());
        tags.remove(MlflowWrite.JOB_TAG);
        tags.put(MlflowWrite.JOB_TAG, Long.toString(write.jobId()));
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("name", write.model());
        create.put("source", write.source());
        create.put("run_id", write.runId());
        String scheme = write.tags().get("quantgate.scheme");
        String variantOf = write.tags().get("quantgate.variant_of");
        if (scheme != null && variantOf != null) {
            create.put("description", scheme + " variant of version " + variantOf);
        }
        create.put("tags", keyValues(tags));
        return versionAnswer(rest.send("POST", "model-versions/create", create).path("model_version"));
    }

    private JsonNode versionAnswer(JsonNode version) {
        ObjectNode answer = json.createObjectNode();
        answer.put("version", version.path("version").asText());
        return answer;
    }

    /** MLflow's filter for the job tag; the key needs backticks (it contains dots). */
    private static String jobFilter(long jobId) {
        return "tags.`" + MlflowWrite.JOB_TAG + "` = '" + jobId + "'";
    }

    private static List<Map<String, String>> keyValues(Map<String, String> map) {
        List<Map<String, String>> list = new ArrayList<>();
        map.forEach((k, v) -> {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("key", k);
            entry.put("value", v);
            list.add(entry);
        });
        return list;
    }
}
