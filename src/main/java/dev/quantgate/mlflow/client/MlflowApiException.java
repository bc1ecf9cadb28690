package dev.quantgate.mlflow.client;

/**
 * MLflow answered with an error: its HTTP status, its {@code error_code} (e.g.
 * {@code RESOURCE_DOES_NOT_EXIST}, {@code INVALID_PARAMETER_VALUE}; {@code null} when the body was not
 * an MLflow error) and its message. Retryable for 429 and 5xx, permanent for other statuses.
 */
public class MlflowApiException extends MlflowException {

    public static final String RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST";
    public static final String INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE";

    private final int status;
    private final String errorCode;
    private final String mlflowMessage;

    public MlflowApiException(String operation, int status, String errorCode, String mlflowMessage, Throwable cause) {
        super("MLflow answered " + status + (errorCode == null ? "" : " " + errorCode) + " to " + operation
                + (mlflowMessage == null || mlflowMessage.isBlank() ? "" : ": " + mlflowMessage),
                status == 429 || status >= 500, cause);
        this.status = status;
        this.errorCode = errorCode;
        this.mlflowMessage = mlflowMessage;
    }

    /** The HTTP status MLflow answered. */
    public int status() {
        return status;
    }

    /** MLflow's {@code error_code}, or {@code null} when the answer carried none. */
    public String errorCode() {
        return errorCode;
    }

    /** MLflow's {@code message}, or the raw body when it was not an MLflow error. */
    public String mlflowMessage() {
        return mlflowMessage;
    }

    /** MLflow says the model, version or run does not exist (any more). */
    public boolean isNotFound() {
        return RESOURCE_DOES_NOT_EXIST.equals(errorCode);
    }
}
