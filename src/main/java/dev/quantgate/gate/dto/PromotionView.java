package dev.quantgate.gate.dto;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A promotion request: {@code waiting} (for approvals), {@code promoting} (the MLflow write is in the outbox),
 * {@code promoted} (MLflow confirmed it at {@code confirmedAt}), {@code denied}, {@code rejected} or {@code expired};
 * its latest decision and every approval given.
 */
public record PromotionView(UUID id, String model, String version, String target, String reason, String requester,
                            String state, DecisionView decision, List<ApprovalView> approvals, Long outboxId,
                            Instant createdAt, Instant expiresAt, Instant confirmedAt) {
}
