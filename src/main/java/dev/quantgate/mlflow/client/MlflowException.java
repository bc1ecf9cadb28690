package dev.quantgate.mlflow.client;

/**
 * Something went wrong talking to MLflow. {@link #retryable()} tells a caller whether trying again
 * later can succeed (MLflow down, overloaded, timed out) or not (MLflow refused the request).
 */
public class MlflowException extends RuntimeException {

    private final boolean retryable;

    public MlflowException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
