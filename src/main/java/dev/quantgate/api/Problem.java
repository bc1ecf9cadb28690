package dev.quantgate.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An RFC 9457 problem detail, with the catalogue {@code code} as an extension member and, for
 * validation failures, the offending fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String code,
                      List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One invalid field or parameter: its name and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    public static Problem of(ErrorCode code, String detail, String instance) {
        return new Problem(code.type(), code.title(), code.status(), detail, instance, code.name(), null);
    }

    public static Problem of(ErrorCode code, String detail, String instance, List<FieldError> errors) {
        return new Problem(code.type(), code.title(), code.status(), detail, instance, code.name(),
                errors == null || errors.isEmpty() ? null : List.copyOf(errors));
    }
}
