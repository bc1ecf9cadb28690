package dev.quantgate.mlflow.outbox;

import dev.quantgate.mlflow.client.MlflowWrite;

/** STUB (branch jobs): replaced by branch mlf on merge. */
public record WriteParked(long outboxId, MlflowWrite write, String reason) {
}
