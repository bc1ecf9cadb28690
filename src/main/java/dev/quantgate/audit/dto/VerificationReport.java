package dev.quantgate.audit.dto;

/**
 * The outcome of walking the chain: how many events checked out before the first break, and the
 * sequence number of that first broken (altered, reordered or missing) event, or {@code null}.
 */
public record VerificationReport(boolean intact, long verified, Long firstBrokenSeq, long headSeq, String reason) {

    public static VerificationReport intact(long verified, long headSeq) {
        return new VerificationReport(true, verified, null, headSeq, null);
    }

    public static VerificationReport broken(long verified, long firstBrokenSeq, long headSeq, String reason) {
        return new VerificationReport(false, verified, firstBrokenSeq, headSeq, reason);
    }
}
