package dev.quantgate.gate;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** Parses the gate API's path and query parameters; a malformed id is "not found", a malformed time a 400. */
final class GateParams {

    private GateParams() {
    }

    static UUID id(String value, ErrorCode notFound, String what) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new ApiException(notFound, "No " + what + " has id '" + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'");
        }
    }

    static Instant instant(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, name + " must be an ISO-8601 instant such as"
                    + " 2026-12-02T12:00:00Z");
        }
    }
}
