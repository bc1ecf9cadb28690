package dev.quantgate.mlflow.client;

import java.util.Map;

/**
 * A registered model as MLflow reports it.
 *
 * @param aliases alias name → version (MLflow answers these as a list of {@code {alias, version}} on a model)
 */
public record MlflowModel(String name, String description, Long creationTimestamp, Long lastUpdatedTimestamp,
                          Map<String, String> tags, Map<String, String> aliases) {

    public MlflowModel {
        tags = Map.copyOf(tags);
        aliases = Map.copyOf(aliases);
    }
}
