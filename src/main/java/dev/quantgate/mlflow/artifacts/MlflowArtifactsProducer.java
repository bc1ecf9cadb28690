package dev.quantgate.mlflow.artifacts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.mlflow.client.MlflowConfig;
import dev.quantgate.mlflow.client.MlflowRest;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The server's {@link MlflowArtifacts} (also its {@link dev.quantgate.worker.ArtifactPort}), from
 * {@code quantgate.mlflow.*}. Without an MLflow URL every call fails as retryable: the job waits for MLflow.
 */
public class MlflowArtifactsProducer {

    @Produces
    @Singleton
    MlflowArtifacts artifacts(MlflowConfig config, ObjectMapper json) {
        String url = config.url().map(String::trim).filter(u -> !u.isEmpty()).orElse("http://mlflow-not-configured.invalid");
        return new MlflowArtifacts(url, MlflowRest.authorizationHeader(config), config.connectTimeout(),
                config.readTimeout(), json);
    }
}
