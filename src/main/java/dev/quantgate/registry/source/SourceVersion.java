package dev.quantgate.registry.source;

import java.time.Instant;
import java.util.Map;

/**
 * A model version as the registry reports it. {@code stage} is the legacy stage ({@code "None"}
 * until a transition); {@code status} e.g. {@code READY}; timestamps {@code null} when absent.
 */
public record SourceVersion(String model, String version, String source, String runId, String status,
                            String description, String stage, Instant createdAt, Instant lastUpdatedAt,
                            Map<String, String> tags) {

    public SourceVersion {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
