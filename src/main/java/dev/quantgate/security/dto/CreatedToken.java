package dev.quantgate.security.dto;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A newly created API token, with its secret: the only time the secret is ever shown. */
public record CreatedToken(UUID id, String name, List<String> roles, String prefix, Instant createdAt, String token) {
}
