package dev.quantgate.audit.dto;

import com.fasterxml.jackson.annotation.JsonRawValue;

/**
 * One audit event as stored: {@code time} and {@code payload} are exactly what was hashed, and
 * {@code hashForm} says how (1: before RFC 8785; 2: RFC 8785 of this record without {@code hash}),
 * so an auditor can recompute {@code hash} from this record alone (see the README).
 */
public record AuditEventView(long seq, String time, String actor, String action, String subject,
                             @JsonRawValue String payload, String prevHash, String hash,
                             int hashForm) {
}
