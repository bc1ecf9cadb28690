package dev.quantgate.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * What exactly the audit trail hashes (the README's "Audit trail" section says the same):
 * <pre>
 * content = {"action":A,"actor":B,"payload":P,"seq":N,"subject":S,"time":T}   (canonical JSON, keys sorted)
 * hash    = lower-hex( SHA-256( UTF-8( prev_hash + content ) ) )
 * </pre>
 * where {@code P} is the stored canonical payload text, {@code T} the event time in UTC as
 * {@code uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'} (always six fractional digits), {@code prev_hash} the
 * previous event's hash as 64 lower-case hex characters, and for the first event 64 zeros.
 */
public final class AuditHashing {

    /** The previous hash of the first event. */
    public static final String GENESIS_HASH = "0".repeat(64);

    private static final DateTimeFormatter TIME = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private AuditHashing() {
    }

    /** The event time as hashed: UTC, microseconds (PostgreSQL's precision). */
    public static String formatTime(Instant time) {
        return TIME.format(time.truncatedTo(ChronoUnit.MICROS));
    }

    /** The canonical content of one event; {@code canonicalPayload} is spliced in as is. */
    public static String content(long seq, String time, String actor, String action, String subject,
                                 String canonicalPayload) {
        StringBuilder out = new StringBuilder(160 + canonicalPayload.length());
        out.append("{\"action\":");
        CanonicalJson.writeString(action, out);
        out.append(",\"actor\":");
        CanonicalJson.writeString(actor, out);
        out.append(",\"payload\":").append(canonicalPayload);
        out.append(",\"seq\":").append(seq);
        out.append(",\"subject\":");
        CanonicalJson.writeString(subject, out);
        out.append(",\"time\":");
        CanonicalJson.writeString(time, out);
        out.append('}');
        return out.toString();
    }

    public static String hash(String previousHash, String content) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        sha256.update(previousHash.getBytes(StandardCharsets.UTF_8));
        sha256.update(content.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha256.digest());
    }
}
