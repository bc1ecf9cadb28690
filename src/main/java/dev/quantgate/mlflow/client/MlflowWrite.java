package dev.quantgate.mlflow.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One write to MLflow, sent through {@link MlflowRegistryClient#execute(MlflowWrite, java.time.Instant)},
 * normally via the durable outbox, which stores {@link #kind()} and the record's JSON so that the write can be
 * rebuilt after a restart (see {@link MlflowWriteJson}). A {@link Call} is one REST call; a {@link Composite}
 * is several, made so that sending it again after a lost answer finds what the first attempt created instead
 * of creating it twice (MLflow's run and version creation are not idempotent).
 */
public sealed interface MlflowWrite {

    /** The registered model it concerns (writes to one model are sent in order). */
    String model();

    /** The write's type as stored in the outbox, e.g. {@code set-alias}, {@code create-job-run}. */
    String kind();

    /** A short label for logs, audit and the outbox listing, e.g. {@code set-alias champion=3}. */
    String describe();

    /** A write that is one REST call; its answer is MLflow's. */
    sealed interface Call extends MlflowWrite {

        /** HTTP method of the REST call. */
        String method();

        /** Path under {@code /api/2.0/mlflow/}. */
        String path();

        /** The JSON request body, keys in MLflow's order. */
        Map<String, Object> body();
    }

    /**
     * A write made of several REST calls that looks up its own earlier attempt (by the {@code quantgate.job_id}
     * tag) before creating anything; its answer is QuantGate's summary of what MLflow holds afterwards.
     * Timestamps it sends are the write's creation time, so a repeat sends the same values.
     */
    sealed interface Composite extends MlflowWrite {

        /** The QuantGate job it belongs to. */
        long jobId();
    }

    /** The tag that ties MLflow runs and versions to the QuantGate job that created them. */
    String JOB_TAG = "quantgate.job_id";

    record SetAlias(String model, String alias, String version) implements Call {
        public SetAlias {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(alias, "alias");
            Objects.requireNonNull(version, "version");
        }

        public String kind() {
            return "set-alias";
        }

        public String method() {
            return "POST";
        }

        public String path() {
            return "registered-models/alias";
        }

        public Map<String, Object> body() {
            return ordered("name", model, "alias", alias, "version", version);
        }

        public String describe() {
            return "set-alias " + alias + "=" + version;
        }
    }

    record DeleteAlias(String model, String alias) implements Call {
        public DeleteAlias {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(alias, "alias");
        }

        public String kind() {
            return "delete-alias";
        }

        public String method() {
            return "DELETE";
        }

        public String path() {
            return "registered-models/alias";
        }

        public Map<String, Object> body() {
            return ordered("name", model, "alias", alias);
        }

        public String describe() {
            return "delete-alias " + alias;
        }
    }

    record SetVersionTag(String model, String version, String key, String value) implements Call {
        public SetVersionTag {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        public String kind() {
            return "set-version-tag";
        }

        public String method() {
            return "POST";
        }

        public String path() {
            return "model-versions/set-tag";
        }

        public Map<String, Object> body() {
            return ordered("name", model, "version", version, "key", key, "value", value);
        }

        public String describe() {
            return "set-version-tag v" + version + " " + key;
        }
    }

    record DeleteVersionTag(String model, String version, String key) implements Call {
        public DeleteVersionTag {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(key, "key");
        }

        public String kind() {
            return "delete-version-tag";
        }

        public String method() {
            return "DELETE";
        }

        public String path() {
            return "model-versions/delete-tag";
        }

        public Map<String, Object> body() {
            return ordered("name", model, "version", version, "key", key);
        }

        public String describe() {
            return "delete-version-tag v" + version + " " + key;
        }
    }

    record TransitionStage(String model, String version, String stage, boolean archiveExistingVersions)
            implements Call {
        public TransitionStage {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(stage, "stage");
        }

        public String kind() {
            return "transition-stage";
        }

        public String method() {
            return "POST";
        }

        public String path() {
            return "model-versions/transition-stage";
        }

        public Map<String, Object> body() {
            return ordered("name", model, "version", version, "stage", stage,
                    "archive_existing_versions", archiveExistingVersions);
        }

        public String describe() {
            return "transition-stage v" + version + " " + stage;
        }
    }

    /**
     * Creates the MLflow run of a job, or finds the one an earlier attempt created: {@code runs/search} in the
     * experiment for the job's tag, else {@code runs/create}; the experiment is created when it does not exist.
     * The run carries the tags {@code quantgate.job_id}, {@code quantgate.source_version} ({@code model/version})
     * and {@code tags}. Answer: {@code {"run_id", "experiment_id", "artifact_uri"}}.
     */
    record CreateJobRun(String model, String version, long jobId, String experimentName, String runName,
                        Map<String, String> tags) implements Composite {
        public CreateJobRun {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(experimentName, "experimentName");
            Objects.requireNonNull(runName, "runName");
            tags = copy(tags, "tags");
        }

        public String kind() {
            return "create-job-run";
        }

        public String describe() {
            return "create-job-run job " + jobId + " v" + version;
        }
    }

    /**
     * Logs a job's params, metrics and tags on its run ({@code runs/log-batch}) and ends the run
     * ({@code runs/update}, {@code FINISHED} or {@code FAILED}). Sending it again is harmless: MLflow accepts
     * params with the same value and ignores metrics identical in key, value, timestamp and step.
     * Answer: MLflow's {@code runs/update} answer ({@code {"run_info": ...}}).
     */
    record LogRunResults(String model, long jobId, String runId, Map<String, String> params,
                         Map<String, Double> metrics, Map<String, String> tags, String status) implements Composite {
        public LogRunResults {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(runId, "runId");
            params = copy(params, "params");
            metrics = copy(metrics, "metrics");
            tags = copy(tags, "tags");
            metrics.forEach((key, value) -> {
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException("Metric " + key + " is " + value + "; MLflow runs hold finite numbers");
                }
            });
            if (!"FINISHED".equals(status) && !"FAILED".equals(status)) {
                throw new IllegalArgumentException("A job's run ends FINISHED or FAILED, was " + status);
            }
        }

        /** Without run tags. */
        public LogRunResults(String model, long jobId, String runId, Map<String, String> params,
                             Map<String, Double> metrics, String status) {
            this(model, jobId, runId, params, metrics, Map.of(), status);
        }

        public String kind() {
            return "log-run-results";
        }

        public String describe() {
            return "log-run-results job " + jobId + " " + status;
        }
    }

    /**
     * Registers a job's variant as a new version of {@link #model()}, or finds the version an earlier attempt
     * registered: {@code model-versions/search} for the job's tag, else {@code model-versions/create} with
     * {@code tags} and {@code quantgate.job_id}. The description is {@code "<scheme> variant of version <n>"}
     * when {@code tags} hold {@code quantgate.scheme} and {@code quantgate.variant_of}. Answer: {@code {"version"}}.
     */
    record CreateVariantVersion(String model, long jobId, String source, String runId, Map<String, String> tags)
            implements Composite {
        public CreateVariantVersion {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(runId, "runId");
            tags = copy(tags, "tags");
        }

        public String kind() {
            return "create-variant-version";
        }

        public String describe() {
            return "create-variant-version job " + jobId;
        }
    }

    /** An unmodifiable copy that keeps the caller's order (MLflow shows params and tags in the order sent). */
    private static <V> Map<String, V> copy(Map<String, V> map, String what) {
        Objects.requireNonNull(map, what);
        Map<String, V> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(Objects.requireNonNull(k, what + " key"), Objects.requireNonNull(v, what + " " + k)));
        return java.util.Collections.unmodifiableMap(copy);
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            body.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return body;
    }
}
