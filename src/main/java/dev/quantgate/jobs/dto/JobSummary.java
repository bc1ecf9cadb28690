package dev.quantgate.jobs.dto;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * A job in a list.
 *
 * @param waitingFor what a job that is not running waits for: {@code gpu} (no GPU worker, and no CPU fallback
 *                   allowed), {@code cpu} (no worker at all), {@code mlflow_run} (its run is being created), or null
 */
public record JobSummary(long id, String model, String version, String scheme, String state, String requirement,
                         String stage, Integer percent, int attempts, String worker,
                         @JsonProperty("waiting_for") String waitingFor, String runId, Integer variantVersion,
                         Instant updatedAt, String href) {
}
