package dev.quantgate.registry.dto;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A registered model as mirrored: its aliases, its tags and how many versions the mirror holds.
 * {@code deletedAt} is set once the mirror noticed the whole model is gone from MLflow.
 */
public record ModelView(String name, String description, Instant createdAt, Instant mirroredAt, Instant updatedAt,
                        long versions, List<AliasView> aliases, Map<String, String> tags, Instant deletedAt) {
}
