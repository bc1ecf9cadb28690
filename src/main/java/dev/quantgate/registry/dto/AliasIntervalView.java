package dev.quantgate.registry.dto;

import java.time.Instant;

/**
 * One interval of an alias's history: {@code version} held the alias from {@code validFrom}
 * (inclusive) until {@code validTo} (exclusive; {@code null} while it still does).
 */
public record AliasIntervalView(long id, String alias, String version, Instant validFrom, Instant validTo,
                                String setBy, String clearedBy) {
}
