package dev.quantgate.api;

import java.util.Locale;

/**
 * The error catalogue: every error the API answers has one of these codes, and each code has one
 * HTTP status. The code is the {@code code} member of the problem+json body, and its kebab-case
 * form ends the problem {@code type} URI. Add codes here rather than inventing statuses at call sites.
 */
public enum ErrorCode {
    BAD_REQUEST(400, "Bad request"),
    VALIDATION_FAILED(400, "Request failed validation"),
    MALFORMED_JSON(400, "Request body is not valid JSON for this operation"),
    INVALID_CURSOR(400, "Pagination cursor is not valid"),
    UNAUTHENTICATED(401, "Authentication required"),
    FORBIDDEN(403, "Not allowed for this token's roles"),
    NOT_FOUND(404, "Not found"),
    TOKEN_NOT_FOUND(404, "API token not found"),
    // policy files
    POLICY_NOT_FOUND(404, "Policy not found"),
    POLICY_VERSION_NOT_FOUND(404, "Policy version not found"),
    // jobs and evidence
    JOB_NOT_FOUND(404, "Job not found"),
    MODEL_VERSION_NOT_FOUND(404, "Model version not found in the registry mirror"),
    EVIDENCE_NOT_FOUND(404, "Evidence not found"),
    NOT_PLANNABLE(409, "This model version cannot be planned"),
    POLICY_CONFLICT(409, "More than one policy selects this model"),
    JOB_NOT_RETRYABLE(409, "Only a failed or parked job can be retried"),
    LEASE_LOST(409, "The job is no longer leased under this token"),
    NO_POLICY(422, "No policy selects this model"),
    // the promotion gate
    DECISION_NOT_FOUND(404, "Gate decision not found"),
    PROMOTION_NOT_FOUND(404, "Promotion request not found"),
    WAIVER_NOT_FOUND(404, "Waiver not found"),
    PROMOTION_CLOSED(409, "The promotion request no longer takes approvals"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "Not acceptable"),
    CONFLICT(409, "Conflict"),
    TOKEN_NAME_TAKEN(409, "An active API token already has this name"),
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    URI_TOO_LONG(414, "URI too long"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
    HEADERS_TOO_LARGE(431, "Request header fields too large"),
    TOO_MANY_REQUESTS(429, "Too many requests"),
    INTERNAL_ERROR(500, "Internal error"),
    SERVICE_UNAVAILABLE(503, "Service unavailable"),
    DATABASE_UNAVAILABLE(503, "Database unavailable");

    private static final String TYPE_PREFIX = "https://quantgate.dev/problems/";

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The problem {@code type} URI, e.g. {@code https://quantgate.dev/problems/token-not-found}. */
    public String type() {
        return TYPE_PREFIX + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The generic code for a status that no specific code claimed (used for framework exceptions). */
    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 400 -> BAD_REQUEST;
            case 401 -> UNAUTHENTICATED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 431 -> HEADERS_TOO_LARGE;
            case 429 -> TOO_MANY_REQUESTS;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL_ERROR;
        };
    }
}
