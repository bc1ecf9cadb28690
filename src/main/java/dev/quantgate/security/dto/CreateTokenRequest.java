package dev.quantgate.security.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.Set;

/** Asks for a new API token with a name (unique among live tokens) and one or more roles. */
public record CreateTokenRequest(
        @NotBlank
        @Size(max = 100)
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._@-]*", message = "must be letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
        String name,
        @NotEmpty
        Set<@NotNull @Pattern(regexp = "admin|engineer|auditor|worker", message = "must be one of admin, engineer, auditor, worker") String> roles) {
}
