package dev.quantgate.mlflow.outbox.dto;

import java.time.Instant;

/**
 * A write to MLflow in the outbox: what ({@code kind} and the write's canonical JSON; for a one-call write also
 * its REST method, path and body), its state, attempts so far, the last error and, once sent, MLflow's answer.
 */
public record OutboxItemView(long id, String model, String description, String kind, String write, String method,
                             String path, String body, String status, int attempts, Instant nextAttemptAt,
                             String lastError, Instant createdAt, String createdBy, Instant sentAt, String result) {
}
