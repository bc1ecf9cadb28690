package dev.quantgate.registry.dto;

import java.time.Instant;

/** An alias and the version it points at since when. */
public record AliasView(String alias, String version, Instant since) {
}
