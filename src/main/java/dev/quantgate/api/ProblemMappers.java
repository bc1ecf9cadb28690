package dev.quantgate.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.quantgate.logging.LogText;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Turns every exception that reaches the REST layer into an {@code application/problem+json}
 * body: catalogue errors, validation, unreadable JSON, framework statuses (404, 405, 415...),
 * authentication (401) and authorisation (403), and anything unexpected (500, no stack trace:
 * the detail carries a reference that is logged with the stack trace).
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** The most field errors one answer lists; the rest are counted (100,000 bad roles must not make a 13 MB answer). */
    static final int MAX_LISTED_ERRORS = 20;

    @ServerExceptionMapper
    public Response apiException(ApiException e, HttpServerRequest request) {
        if (e instanceof ParameterGuard.ParameterException refused) {
            return respond(Problem.of(e.code(), e.detail(), request.path(), refused.errors()), e);
        }
        return respond(Problem.of(e.code(), e.detail(), request.path()), e);
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, HttpServerRequest request) {
        List<Problem.FieldError> all = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldName(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field).thenComparing(Problem.FieldError::message))
                .toList();
        List<Problem.FieldError> errors = all.size() <= MAX_LISTED_ERRORS ? all : all.subList(0, MAX_LISTED_ERRORS);
        String detail = errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
        if (all.size() > errors.size()) {
            detail += "; and " + (all.size() - errors.size()) + " more";
        }
        return respond(Problem.of(ErrorCode.VALIDATION_FAILED, detail, request.path(), errors), e);
    }

    @ServerExceptionMapper
    public Response jsonParse(JsonParseException e, HttpServerRequest request) {
        String detail = e.getLocation() == null ? "The request body is not well-formed JSON"
                : "The request body is not well-formed JSON (line " + e.getLocation().getLineNr()
                + ", column " + e.getLocation().getColumnNr() + ")";
        return respond(Problem.of(ErrorCode.MALFORMED_JSON, detail, request.path()), e);
    }

    @ServerExceptionMapper
    public Response jsonMismatch(MismatchedInputException e, HttpServerRequest request) {
        return jsonMapping(e, request);
    }

    @ServerExceptionMapper
    public Response jsonInvalidFormat(InvalidFormatException e, HttpServerRequest request) {
        return jsonMapping(e, request);
    }

    @ServerExceptionMapper
    public Response jsonUnrecognized(UnrecognizedPropertyException e, HttpServerRequest request) {
        return jsonMapping(e, request);
    }

    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e, HttpServerRequest request) {
        String field = jsonPath(e);
        String detail;
        if (e instanceof UnrecognizedPropertyException) {
            detail = "Unknown field '" + field + "'";
        } else if (field.isEmpty()) {
            detail = "The request body does not have the expected JSON shape";
        } else {
            detail = "Field '" + field + "' has the wrong type or format";
        }
        List<Problem.FieldError> errors = field.isEmpty() ? null : List.of(new Problem.FieldError(field, detail));
        return respond(Problem.of(ErrorCode.MALFORMED_JSON, detail, request.path(), errors), e);
    }

    @ServerExceptionMapper
    public Response jsonProcessing(JsonProcessingException e, HttpServerRequest request) {
        if (e instanceof StreamConstraintsException) {
            return respond(Problem.of(ErrorCode.MALFORMED_JSON, JsonLimits.describe(), request.path()), e);
        }
        return respond(Problem.of(ErrorCode.MALFORMED_JSON, "The request body is not valid JSON", request.path()), e);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, HttpServerRequest request) {
        return unauthenticated(request, e, "This endpoint needs an 'Authorization: Bearer <token>' header");
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, HttpServerRequest request) {
        if (DatabaseFailures.isUnavailable(e)) {
            return databaseUnavailable(e, request);
        }
        return unauthenticated(request, e, "The bearer token is unknown, malformed or revoked");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        return respond(Problem.of(ErrorCode.FORBIDDEN,
                "The token's roles do not allow " + request.method() + " " + request.path(), request.path()), e);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        // The JSON body reader wraps Jackson's errors; answer them as the Jackson mappers do.
        if (e.getCause() instanceof StreamConstraintsException limits) {
            return jsonProcessing(limits, request);
        }
        if (e.getCause() instanceof JsonParseException parse) {
            return jsonParse(parse, request);
        }
        if (e.getCause() instanceof JsonMappingException mapping) {
            return jsonMapping(mapping, request);
        }
        if (e.getCause() instanceof JsonProcessingException processing) {
            return jsonProcessing(processing, request);
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        ErrorCode code = ErrorCode.forStatus(status);
        String detail = switch (code) {
            case NOT_FOUND -> "Nothing is at " + request.path();
            case METHOD_NOT_ALLOWED -> request.method() + " is not supported on " + request.path();
            case UNSUPPORTED_MEDIA_TYPE -> "This endpoint does not accept the request's Content-Type";
            case PAYLOAD_TOO_LARGE -> "The request body is larger than this server accepts";
            case NOT_ACCEPTABLE -> "This endpoint cannot answer in the requested media type";
            case INTERNAL_ERROR -> null;
            default -> code.title();
        };
        if (detail == null) {
            return unexpected(e, request);
        }
        Response.ResponseBuilder builder = Response.status(code.status())
                .type(Problem.MEDIA_TYPE)
                .entity(Problem.of(code, detail, request.path()));
        if (code == ErrorCode.METHOD_NOT_ALLOWED && e.getResponse() != null) {
            String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
            if (allow != null) {
                builder.header(HttpHeaders.ALLOW, allow);
            }
        }
        LOG.debugf("%s %s -> %d: %s", request.method(), LogText.escape(request.path()), code.status(),
                LogText.escape(e.getMessage()));
        return builder.build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        if (DatabaseFailures.isUnavailable(e)) {
            return databaseUnavailable(e, request);
        }
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error on %s %s (reference %s)", request.method(), request.path(), reference);
        return Response.status(500).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(ErrorCode.INTERNAL_ERROR,
                        "Something went wrong on our side; the logs carry the details under reference " + reference,
                        request.path()))
                .build();
    }

    /** 503 with Retry-After: PostgreSQL is down, stalled or out of connections; the request can be repeated. */
    private static Response databaseUnavailable(Throwable e, HttpServerRequest request) {
        String reference = UUID.randomUUID().toString();
        LOG.warnf("Database unavailable on %s %s (reference %s): %s", request.method(), request.path(), reference,
                e.toString());
        return Response.status(503).type(Problem.MEDIA_TYPE)
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(DatabaseFailures.RETRY_AFTER_SECONDS))
                .entity(Problem.of(ErrorCode.DATABASE_UNAVAILABLE,
                        "The database cannot be reached right now; try again in "
                                + DatabaseFailures.RETRY_AFTER_SECONDS + " s (reference " + reference + ")",
                        request.path()))
                .build();
    }

    private static Response unauthenticated(HttpServerRequest request, Exception e, String detail) {
        LOG.debugf("%s %s -> 401: %s", request.method(), LogText.escape(request.path()), LogText.escape(e.getMessage()));
        return Response.status(401).type(Problem.MEDIA_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .entity(Problem.of(ErrorCode.UNAUTHENTICATED, detail, request.path()))
                .build();
    }

    private static Response respond(Problem problem, Throwable e) {
        if (problem.status() >= 500) {
            LOG.errorf(e, "%s: %s", problem.code(), problem.detail());
        } else {
            LOG.debugf("%s: %s", problem.code(), LogText.escape(problem.detail()));
        }
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    /** The last named node of a violation's path: the field or parameter a person would recognise. */
    private static String fieldName(ConstraintViolation<?> violation) {
        String name = "";
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getName() != null && node.getKind() != ElementKind.METHOD
                    && node.getKind() != ElementKind.CONTAINER_ELEMENT) {
                name = node.getName();
            }
        }
        return name.isEmpty() ? "request" : name;
    }

    private static String jsonPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }
}
