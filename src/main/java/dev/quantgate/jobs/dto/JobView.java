package dev.quantgate.jobs.dto;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;

/**
 * One job in full: what it makes, under which policy version, where it is, what went wrong, what it produced.
 *
 * @param fallbackAllowed the policy lets a CPU worker run this GPU job
 * @param ranOnFallback   the current or last lease went to a CPU worker by that fallback
 * @param waitingFor      see {@link JobSummary#waitingFor()}
 * @param errors          every failed attempt, oldest first
 */
public record JobView(long id, String model, String version, String scheme, String specSha256, String spec,
                      String policy, String policySha256, String requirement, boolean fallbackAllowed,
                      boolean ranOnFallback, String state, String stage, Integer percent, int attempts,
                      int maxAttempts, String worker, @JsonProperty("waiting_for") String waitingFor,
                      Instant leaseUntil, Instant nextAttemptAt, String errorCode, String errorMessage,
                      List<JobErrorView> errors, String runId, String runArtifactUri, Integer variantVersion,
                      List<EvidenceLink> evidence, Instant createdAt, Instant updatedAt, Instant startedAt,
                      Instant finishedAt) {
}
