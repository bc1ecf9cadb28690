package dev.quantgate.mlflow.outbox.dto;

import java.time.Instant;

/** A write to MLflow in the outbox: what, its state, attempts so far and the last error. */
public record OutboxItemView(long id, String model, String description, String method, String path, String body,
                             String status, int attempts, Instant nextAttemptAt, String lastError, Instant createdAt,
                             String createdBy, Instant sentAt) {
}
