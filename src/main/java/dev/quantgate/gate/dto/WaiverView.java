package dev.quantgate.gate.dto;

import java.time.Instant;
import java.util.UUID;

/** A waiver as granted; {@code inForce} is false once it expired or was revoked. */
public record WaiverView(UUID id, String model, String version, String rule, String reason, String createdBy,
                         Instant createdAt, Instant expiresAt, Instant revokedAt, String revokedBy, boolean inForce) {
}
