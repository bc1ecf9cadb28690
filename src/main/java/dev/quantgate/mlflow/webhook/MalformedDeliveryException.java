package dev.quantgate.mlflow.webhook;

/** A signed delivery whose body is not JSON, or not the shape MLflow sends for its event type. */
public class MalformedDeliveryException extends Exception {

    private final String reason;

    public MalformedDeliveryException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The metric tag: {@code malformed_json} or {@code invalid_payload}. */
    public String reason() {
        return reason;
    }
}
