package dev.quantgate.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.MatrixParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One check in front of every REST resource method, instead of one per endpoint: refuses with 400
 * ({@code VALIDATION_FAILED}, naming the parameter) a path or query parameter holding a NUL
 * (PostgreSQL text cannot store U+0000), a number parameter that is not a plain whole number in
 * range ({@code limit=abc}, {@code 1.5}, {@code 1e3}, {@code 99999999999}; JAX-RS would answer
 * 404), a boolean other than {@code true}/{@code false} ({@code includeRevoked=maybe}, which
 * JAX-RS reads as false) and a malformed UUID; and with 415 a request to a method that reads a body
 * when it carries no {@code Content-Type}. It runs after authentication and role checks.
 */
public class ParameterGuard {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]{1,19}");
    private static final Set<Class<? extends Annotation>> PARAMETER_ANNOTATIONS = Set.of(QueryParam.class,
            PathParam.class, HeaderParam.class, CookieParam.class, FormParam.class, MatrixParam.class,
            BeanParam.class, Context.class);

    @ServerRequestFilter
    public void check(ContainerRequestContext request, ResourceInfo resource) {
        MultivaluedMap<String, String> path = request.getUriInfo().getPathParameters(true);
        MultivaluedMap<String, String> query;
        try {
            query = request.getUriInfo().getQueryParameters(true);
        } catch (IllegalArgumentException e) {
            throw invalid("query", "has a malformed percent-escape");
        }
        refuseNul(path, "path parameter");
        refuseNul(query, "query parameter");
        if (request.getUriInfo().getPath().indexOf('\0') >= 0) {
            throw invalid("path", "holds a NUL character (%00)");
        }
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) {
            return;
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        boolean readsBody = false;
        for (Parameter parameter : method.getParameters()) {
            QueryParam q = parameter.getAnnotation(QueryParam.class);
            PathParam p = parameter.getAnnotation(PathParam.class);
            if (q != null) {
                checkType(parameter, q.value(), query.getFirst(q.value()), errors);
            } else if (p != null) {
                checkType(parameter, p.value(), path.getFirst(p.value()), errors);
            } else if (isEntity(parameter)) {
                readsBody = true;
            }
        }
        if (!errors.isEmpty()) {
            String detail = errors.stream().map(e -> e.field() + ": " + e.message())
                    .reduce((a, b) -> a + "; " + b).orElse("");
            throw new ParameterException(detail, errors);
        }
        if (readsBody && request.getHeaderString(HttpHeaders.CONTENT_TYPE) == null) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "This endpoint reads a JSON body: send it with 'Content-Type: application/json'");
        }
    }

    private static void refuseNul(MultivaluedMap<String, String> parameters, String kind) {
        for (Map.Entry<String, List<String>> entry : parameters.entrySet()) {
            String name = entry.getKey();
            if (name.indexOf('\0') >= 0) {
                throw invalid(kind + " names", "hold a NUL character (%00)");
            }
            for (String value : entry.getValue()) {
                if (value != null && value.indexOf('\0') >= 0) {
                    throw invalid(name, "holds a NUL character (%00), which is never a valid value");
                }
            }
        }
    }

    private static void checkType(Parameter parameter, String name, String value, List<Problem.FieldError> errors) {
        if (value == null) {
            return;
        }
        Class<?> type = parameter.getType();
        String shown = shown(value);
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            long min = type == Long.class || type == long.class ? Long.MIN_VALUE
                    : type == Short.class || type == short.class ? Short.MIN_VALUE : Integer.MIN_VALUE;
            long max = type == Long.class || type == long.class ? Long.MAX_VALUE
                    : type == Short.class || type == short.class ? Short.MAX_VALUE : Integer.MAX_VALUE;
            Min lower = parameter.getAnnotation(Min.class);
            Max upper = parameter.getAnnotation(Max.class);
            long from = lower == null ? min : Math.max(min, lower.value());
            long to = upper == null ? max : Math.min(max, upper.value());
            String range = "must be a whole number from " + from + " to " + to + ", was '" + shown + "'";
            if (!WHOLE_NUMBER.matcher(value).matches()) {
                errors.add(new Problem.FieldError(name, range));
                return;
            }
            try {
                long parsed = Long.parseLong(value);
                if (parsed < min || parsed > max) {
                    errors.add(new Problem.FieldError(name, range));
                }
            } catch (NumberFormatException e) {
                errors.add(new Problem.FieldError(name, range));
            }
        } else if (type == Boolean.class || type == boolean.class) {
            if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                errors.add(new Problem.FieldError(name, "must be true or false, was '" + shown + "'"));
            }
        } else if (type == UUID.class) {
            try {
                UUID.fromString(value);
            } catch (IllegalArgumentException e) {
                errors.add(new Problem.FieldError(name, "must be a UUID, was '" + shown + "'"));
            }
        }
    }

    /** A parameter without any JAX-RS annotation is the request body. */
    private static boolean isEntity(Parameter parameter) {
        for (Annotation annotation : parameter.getAnnotations()) {
            if (PARAMETER_ANNOTATIONS.contains(annotation.annotationType())) {
                return false;
            }
        }
        String type = parameter.getType().getName();
        return !type.startsWith("jakarta.ws.rs.") && !type.startsWith("io.vertx.") && !type.startsWith("io.quarkus.");
    }

    private static String shown(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }

    private static ApiException invalid(String name, String problem) {
        return new ParameterException(name + " " + problem, List.of(new Problem.FieldError(name, problem)));
    }

    /** A refused parameter: answered as {@code VALIDATION_FAILED} with the parameter named in {@code errors}. */
    public static final class ParameterException extends ApiException {

        private final List<Problem.FieldError> errors;

        ParameterException(String detail, List<Problem.FieldError> errors) {
            super(ErrorCode.VALIDATION_FAILED, detail);
            this.errors = List.copyOf(errors);
        }

        public List<Problem.FieldError> errors() {
            return errors;
        }
    }
}
