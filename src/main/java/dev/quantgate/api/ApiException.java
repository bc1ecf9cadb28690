package dev.quantgate.api;

import java.util.Objects;

/**
 * An error meant for the API caller: a catalogue code and a sentence a person understands.
 * Thrown by services; mapped to {@code application/problem+json} by {@link ProblemMappers}.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;

    public ApiException(ErrorCode code, String detail) {
        super(Objects.requireNonNull(detail, "detail"));
        this.code = Objects.requireNonNull(code, "code");
    }

    public ApiException(ErrorCode code, String detail, Throwable cause) {
        super(Objects.requireNonNull(detail, "detail"), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    /** The human-readable explanation, the problem's {@code detail}. */
    public String detail() {
        return getMessage();
    }

    public static ApiException notFound(ErrorCode code, String detail) {
        return new ApiException(code, detail);
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(ErrorCode.BAD_REQUEST, detail);
    }
}
