package dev.quantgate.jobs.dto;

import java.time.Instant;

/** One failed attempt of a job. */
public record JobErrorView(int attempt, String code, String message, String worker, Instant at) {
}
