package dev.quantgate.gate.proxy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * MLflow's own error body, {@code {"error_code": "...", "message": "..."}}, spaced as MLflow writes it (Python's
 * {@code json.dumps}), so MLflow's clients raise it as one of MLflow's errors: the Python client's
 * {@code RestException} text is {@code "<error_code>: <message>"}.
 */
final class MlflowErrorBody {

    static final String PERMISSION_DENIED = "PERMISSION_DENIED";
    static final String INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE";
    static final String TEMPORARILY_UNAVAILABLE = "TEMPORARILY_UNAVAILABLE";

    private MlflowErrorBody() {
    }

    static String of(String errorCode, String message) {
        return "{\"error_code\": \"" + errorCode + "\", \"message\": \""
                + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}";
    }
}
