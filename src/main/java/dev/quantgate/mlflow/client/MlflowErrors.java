package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;

import java.io.IOException;
import java.net.http.HttpTimeoutException;

/** Maps MLflow's answers and transport failures, from either client, onto {@link MlflowException}s. */
final class MlflowErrors {

    private static final int MAX_MESSAGE = 500;

    private MlflowErrors() {
    }

    /** An error answer: MLflow's body is {@code {"error_code": "...", "message": "..."}} when it is MLflow's. */
    static MlflowApiException fromBody(String operation, int status, String body, ObjectMapper json) {
        return fromBody(operation, status, body, json, null);
    }

    static MlflowApiException fromBody(String operation, int status, String body, ObjectMapper json, Throwable cause) {
        String errorCode = null;
        String message = body;
        if (body != null && !body.isBlank()) {
            try {
                JsonNode node = json.readTree(body);
                if (node != null && node.isObject() && node.hasNonNull("error_code")) {
                    errorCode = node.get("error_code").asText();
                    message = node.path("message").asText("");
                }
            } catch (IOException notJson) {
                // keep the raw text as the message
            }
        }
        return new MlflowApiException(operation, status, errorCode, abbreviate(message), cause);
    }

    static MlflowUnavailableException unreachable(String operation, String baseUrl, IOException e) {
        // In words: a stored error is read by people; the exception itself stays in the cause (and the log).
        String why = e instanceof java.net.http.HttpConnectTimeoutException ? "no connection within the timeout"
                : e instanceof HttpTimeoutException ? "no answer within the timeout"
                : e instanceof java.net.ConnectException ? "connection refused"
                : e instanceof java.net.UnknownHostException ? "unknown host"
                : e instanceof javax.net.ssl.SSLException ? "TLS handshake failed"
                : "connection failed or was reset";
        return new MlflowUnavailableException("MLflow at " + baseUrl + " cannot be reached for " + operation
                + " (" + why + ")", e);
    }

    /** mlflow-client throws {@link MlflowHttpException} for error answers and wraps I/O failures. */
    static MlflowException fromClient(String operation, String baseUrl, MlflowClientException e, ObjectMapper json) {
        if (e instanceof MlflowHttpException http) {
            return fromBody(operation, http.getStatusCode(), http.getBodyMessage(), json, e);
        }
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
            MlflowUnavailableException mapped = unreachable(operation, baseUrl, io);
            mapped.addSuppressed(e);
            return mapped;
        }
        return new MlflowException("MLflow call " + operation + " failed: " + e.getMessage(), false, e);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return null;
        }
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "...";
    }
}
