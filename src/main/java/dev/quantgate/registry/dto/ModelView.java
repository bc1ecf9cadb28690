package dev.quantgate.registry.dto;

import java.time.Instant;
import java.util.List;

/** A registered model as mirrored: its aliases and how many versions the mirror holds. */
public record ModelView(String name, String description, Instant createdAt, Instant mirroredAt, Instant updatedAt,
                        long versions, List<AliasView> aliases) {
}
