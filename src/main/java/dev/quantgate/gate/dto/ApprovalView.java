package dev.quantgate.gate.dto;

import java.time.Instant;
import java.util.UUID;

/**
 * One approval or rejection as recorded.
 *
 * @param notCounted why it does not count ({@code requester}, {@code already_counted}), or null
 */
public record ApprovalView(String approver, String verdict, String comment, UUID decisionId, boolean counted,
                           String notCounted, Instant at) {
}
