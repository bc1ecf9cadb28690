package dev.quantgate.registry.dto;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A model version as mirrored. {@code version} is MLflow's string form; {@code deletedAt} is set once the mirror
 * noticed the version is gone from MLflow. {@code quantgateStatus} is what QuantGate says of the version
 * ({@code inspecting} while its {@code MLmodel} is still to be read, then {@code planned}, {@code running},
 * {@code evaluated}, {@code failed}, {@code not_applicable} or {@code unsupported_flavor:<flavor>}) as soon as it
 * decides it, before its {@code quantgate.status} tag reaches MLflow and the mirror; {@code null} while QuantGate
 * has said nothing of it.
 */
public record VersionView(String model, String version, String source, String runId, String status,
                          String description, Instant createdAt, String currentStage, Map<String, String> tags,
                          String quantgateStatus, List<String> aliases, Instant mirroredAt, Instant updatedAt,
                          Instant deletedAt) {
}
