package dev.quantgate.mlflow.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.mlflow.client.MlflowWrite;

/**
 * MLflow took an outbox write. Fired synchronously inside the transaction that records the write as sent, so an
 * observer's database changes commit with that record, or not at all: when an observer throws, the record rolls
 * back and the write is sent again once its claim expires (every write is safe to repeat).
 *
 * @param answer MLflow's answer to a one-call write, or a composite write's summary (see its record)
 */
public record WriteConfirmed(long outboxId, MlflowWrite write, JsonNode answer) {
}
