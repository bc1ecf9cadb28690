package dev.quantgate.mlflow.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.mlflow.client.MlflowWrite;

/** STUB (branch jobs): replaced by branch mlf on merge. */
public record WriteConfirmed(long outboxId, MlflowWrite write, JsonNode answer) {
}
