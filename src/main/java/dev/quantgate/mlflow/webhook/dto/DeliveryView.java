package dev.quantgate.mlflow.webhook.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * One MLflow webhook delivery in the inbox, with its processing status.
 *
 * @param id            MLflow's {@code X-MLflow-Delivery-Id}
 * @param seq           arrival order (the pagination cursor)
 * @param status        {@code pending}, {@code retrying}, {@code processed}, {@code ignored} (an event type
 *                      QuantGate does not consume), {@code parked} (gave up; an admin may retry) or
 *                      {@code rejected} (signed but malformed; never processed)
 * @param attempts      processing attempts so far
 * @param lastError     why the last attempt failed, or why the delivery was rejected
 * @param mirrorChanges changes the event caused in the registry mirror (0 when already applied)
 * @param body          the raw body, only on the single-delivery read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryView(String id, long seq, String entity, String action, String model, String status,
                           int attempts, Instant signedAt, Instant receivedAt, Instant nextAttemptAt,
                           Instant processedAt, String lastError, Integer mirrorChanges, String body) {
}
