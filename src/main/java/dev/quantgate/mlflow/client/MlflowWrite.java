package dev.quantgate.mlflow.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One write to MLflow's model registry, as REST API 2.0 takes it. Sent through
 * {@link MlflowRegistryClient#execute(MlflowWrite)}, normally via the durable outbox, which
 * stores {@link #method()}, {@link #path()} and {@link #body()}.
 */
public sealed interface MlflowWrite {

    /** The registered model it changes (writes to one model are sent in order). */
    String model();

    /** HTTP method of the REST call. */
    String method();

    /** Path under {@code /api/2.0/mlflow/}. */
    String path();

    /** The JSON request body, keys in MLflow's order. */
    Map<String, Object> body();

    /** A short label for logs, audit and the outbox listing, e.g. {@code set-alias champion=3}. */
    String describe();

    record SetAlias(String model, String alias, String version) implements MlflowWrite {
        public SetAlias {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(alias, "alias");
            Objects.requireNonNull(version, "version");
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

    record DeleteAlias(String model, String alias) implements MlflowWrite {
        public DeleteAlias {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(alias, "alias");
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

    record SetVersionTag(String model, String version, String key, String value) implements MlflowWrite {
        public SetVersionTag {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
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

    record DeleteVersionTag(String model, String version, String key) implements MlflowWrite {
        public DeleteVersionTag {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(key, "key");
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
            implements MlflowWrite {
        public TransitionStage {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(stage, "stage");
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

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            body.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return body;
    }
}
