package dev.quantgate.registry.source;

import java.time.Instant;
import java.util.Map;

/** A registered model as the registry reports it; timestamps {@code null} when it reports none. */
public record SourceModel(String name, String description, Instant createdAt, Instant lastUpdatedAt,
                          Map<String, String> tags) {

    public SourceModel {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
