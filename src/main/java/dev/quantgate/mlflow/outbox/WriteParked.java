package dev.quantgate.mlflow.outbox;

import dev.quantgate.mlflow.client.MlflowWrite;

/**
 * An outbox write was given up on (MLflow refused it, or it cannot be sent as stored) until an admin retries it.
 * Fired synchronously inside the transaction that records it as parked.
 *
 * @param write the write, or {@code null} when its stored form could not be read back
 */
public record WriteParked(long outboxId, MlflowWrite write, String reason) {
}
