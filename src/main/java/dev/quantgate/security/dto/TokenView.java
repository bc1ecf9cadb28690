package dev.quantgate.security.dto;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An API token as listed: never its secret or hash, only the first characters of the secret. */
public record TokenView(UUID id, String name, List<String> roles, String prefix, Instant createdAt, String createdBy,
                        Instant revokedAt, String revokedBy) {
}
