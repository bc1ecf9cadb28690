package dev.quantgate.evidence.dto;

import java.time.Instant;

/** One evidence record in a list, with the link to its content. */
public record EvidenceSummary(String sha256, long jobId, String model, int sourceVersion, String scheme,
                              String specSha256, String policySha256, Integer variantVersion, Instant recordedAt,
                              String href) {
}
