package dev.quantgate.mlflow.client;

import org.jboss.logging.Logger;
import org.mlflow.tracking.MlflowClient;
import org.mlflow_project.apachehttp.client.config.RequestConfig;
import org.mlflow_project.apachehttp.impl.client.HttpClientBuilder;

import java.lang.reflect.Field;
import java.time.Duration;

/**
 * mlflow-client 2.17.2 builds its HTTP client without timeouts, so a hung MLflow would hang the
 * caller (and its database transaction) forever, and offers no way to pass one. This installs a
 * client with connect and read timeouts into its (package-private) HTTP caller before first use, and
 * turns off its retry of every non-429 error answer.
 */
final class MlflowClientTimeouts {

    private static final Logger LOG = Logger.getLogger(MlflowClientTimeouts.class);

    private MlflowClientTimeouts() {
    }

    static void apply(MlflowClient client, Duration connect, Duration read) {
        try {
            Field callerField = MlflowClient.class.getDeclaredField("httpCaller");
            callerField.setAccessible(true);
            Object caller = callerField.get(client);
            Field httpClientField = caller.getClass().getDeclaredField("httpClient");
            httpClientField.setAccessible(true);
            RequestConfig timeouts = RequestConfig.custom()
                    .setConnectTimeout(millis(connect))
                    .setConnectionRequestTimeout(millis(connect))
                    .setSocketTimeout(millis(read))
                    .build();
            httpClientField.set(caller, HttpClientBuilder.create().setDefaultRequestConfig(timeouts)
                    .useSystemProperties().build());
            // mlflow-client retries every error answer but 429 (a 404 three more times), logging each as
            // "404 (Rate limit exceeded). Retrying": one attempt, MLflow's answer reaches QuantGate's own handling
            // (429 keeps mlflow-client's own bounded rate-limit retries).
            Field attempts = caller.getClass().getDeclaredField("maxRetryAttempts");
            attempts.setAccessible(true);
            attempts.setInt(caller, 1);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Could not set timeouts on mlflow-client (%s); its reads wait without a limit", e.toString());
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }
}
