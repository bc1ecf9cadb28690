package dev.quantgate.mlflow.client;

import dev.quantgate.registry.source.RegistrySource;
import dev.quantgate.registry.source.SourceModel;
import dev.quantgate.registry.source.SourceVersion;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Optional;

/**
 * The registry mirror's port onto MLflow: MLflow's "does not exist" ({@code RESOURCE_DOES_NOT_EXIST})
 * becomes an empty answer; an unreachable MLflow stays a {@link MlflowUnavailableException}
 * (transient), any other refusal an {@link MlflowApiException}.
 */
@ApplicationScoped
public class MlflowRegistrySource implements RegistrySource {

    private final MlflowRegistryClient mlflow;

    public MlflowRegistrySource(MlflowRegistryClient mlflow) {
        this.mlflow = mlflow;
    }

    @Override
    public boolean configured() {
        return mlflow.configured();
    }

    @Override
    public Optional<SourceModel> model(String name) {
        try {
            return Optional.of(toSource(mlflow.getRegisteredModel(name)));
        } catch (MlflowApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Optional<SourceVersion> version(String model, String version) {
        try {
            return Optional.of(toSource(mlflow.getModelVersion(model, version)));
        } catch (MlflowApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** MLflow's registered model in the registry's terms. */
    public static SourceModel toSource(MlflowModel m) {
        return new SourceModel(m.name(), m.description(), millis(m.creationTimestamp()),
                millis(m.lastUpdatedTimestamp()), m.tags());
    }

    /** MLflow's model version in the registry's terms ({@code run_id} "" is no run). */
    public static SourceVersion toSource(MlflowModelVersion v) {
        return new SourceVersion(v.name(), v.version(), v.source(),
                v.runId() == null || v.runId().isEmpty() ? null : v.runId(), v.status(), v.description(),
                v.currentStage(), millis(v.creationTimestamp()), millis(v.lastUpdatedTimestamp()), v.tags());
    }

    private static Instant millis(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
    }
}
