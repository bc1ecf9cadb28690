package dev.quantgate.mlflow.client;

import java.util.List;
import java.util.Map;

/**
 * A model version as MLflow reports it. {@code version} is MLflow's string ("1", "2", ...);
 * {@code currentStage} is {@code "None"} until a (legacy) stage transition.
 *
 * @param aliases the aliases pointing at this version (a list of strings on a model version)
 */
public record MlflowModelVersion(String name, String version, Long creationTimestamp, Long lastUpdatedTimestamp,
                                 String currentStage, String description, String source, String runId,
                                 String status, Map<String, String> tags, List<String> aliases) {

    public MlflowModelVersion {
        tags = Map.copyOf(tags);
        aliases = List.copyOf(aliases);
    }
}
