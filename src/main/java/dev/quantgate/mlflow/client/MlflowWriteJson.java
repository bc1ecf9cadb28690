package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.kernel.json.Jcs;

import java.io.IOException;
import java.util.Map;

/**
 * The stored form of an {@link MlflowWrite}: its {@link MlflowWrite#kind() kind} and the canonical JSON (RFC 8785)
 * of the record's components, e.g. {@code create-job-run} with
 * {@code {"experimentName":"quantgate","jobId":42,"model":"m","runName":"m-v1-fp16","tags":{},"version":"1"}}.
 * The outbox stores both so that a write survives a restart and is rebuilt as the same record.
 */
public final class MlflowWriteJson {

    private static final Map<String, Class<? extends MlflowWrite>> KINDS = Map.of(
            "set-alias", MlflowWrite.SetAlias.class,
            "delete-alias", MlflowWrite.DeleteAlias.class,
            "set-version-tag", MlflowWrite.SetVersionTag.class,
            "delete-version-tag", MlflowWrite.DeleteVersionTag.class,
            "transition-stage", MlflowWrite.TransitionStage.class,
            "create-job-run", MlflowWrite.CreateJobRun.class,
            "log-run-results", MlflowWrite.LogRunResults.class,
            "create-variant-version", MlflowWrite.CreateVariantVersion.class);

    private MlflowWriteJson() {
    }

    /** The canonical JSON of the write's components. */
    public static String write(MlflowWrite write, ObjectMapper json) {
        JsonNode tree = json.valueToTree(write);
        return Jcs.write(tree);
    }

    /**
     * The write a stored kind and JSON stand for.
     *
     * @throws IllegalArgumentException when the kind is unknown or the JSON does not make a valid write
     */
    public static MlflowWrite read(String kind, String text, ObjectMapper json) {
        Class<? extends MlflowWrite> type = KINDS.get(kind);
        if (type == null) {
            throw new IllegalArgumentException("Unknown kind of MLflow write: " + kind);
        }
        try {
            return json.readValue(text, type);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Stored MLflow write of kind " + kind + " cannot be read: "
                    + e.getMessage(), e);
        }
    }
}
