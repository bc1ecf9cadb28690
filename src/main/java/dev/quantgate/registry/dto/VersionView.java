package dev.quantgate.registry.dto;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A model version as mirrored. {@code version} is MLflow's string form; {@code deletedAt} is set
 * once the mirror noticed the version is gone from MLflow.
 */
public record VersionView(String model, String version, String source, String runId, String status,
                          String description, Instant createdAt, String currentStage, Map<String, String> tags,
                          List<String> aliases, Instant mirroredAt, Instant updatedAt, Instant deletedAt) {
}
