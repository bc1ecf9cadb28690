package dev.quantgate.mlflow.client;

/**
 * MLflow could not be reached: not configured, connection refused or reset, DNS, TLS, or no answer
 * within the timeout. Always retryable: the request may not even have arrived.
 */
public class MlflowUnavailableException extends MlflowException {

    public MlflowUnavailableException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
