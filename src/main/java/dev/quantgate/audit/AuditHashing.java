package dev.quantgate.audit;

import dev.quantgate.kernel.json.Jcs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;

/**
 * What exactly the audit trail hashes (the README's "Audit trail" section says the same). Each event
 * records the form it was sealed in ({@code hash_form}); verification uses each event's own form.
 * <ul>
 *   <li><b>Form 2</b> ({@code jcs}, every event sealed now):
 *   <pre>hash = lower-hex( SHA-256( JCS({"action","actor","hashForm":2,"payload","prevHash","seq","subject","time"}) ) )</pre>
 *   where JCS is RFC 8785 and {@code payload} is the event's payload as a JSON value: the exported event,
 *   without its {@code hash}, canonicalized by any RFC 8785 library.</li>
 *   <li><b>Form 1</b> (events sealed before): {@link LegacyHashForm}.</li>
 * </ul>
 * {@code time} is UTC as {@code uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'} (always six fractional digits),
 * {@code prevHash} the previous event's hash (64 lower-case hex characters; 64 zeros for the first event).
 */
public final class AuditHashing {

    /** The previous hash of the first event. */
    public static final String GENESIS_HASH = "0".repeat(64);
    /** The form every new event is sealed in. */
    public static final int CURRENT_FORM = 2;

    private static final DateTimeFormatter TIME = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private AuditHashing() {
    }

    /** The event time as hashed: UTC, microseconds (PostgreSQL's precision). */
    public static String formatTime(Instant time) {
        return TIME.format(time.truncatedTo(ChronoUnit.MICROS));
    }

    /** The payload as stored: its RFC 8785 text. */
    public static String canonicalPayload(Map<String, ?> payload) {
        return Jcs.write(payload == null ? Map.of() : payload);
    }

    /** Whether a form is one this code can verify. */
    public static boolean isKnownForm(int form) {
        return form == LegacyHashForm.FORM || form == CURRENT_FORM;
    }

    /** The hash of one event in the given form. */
    public static String hash(int form, long seq, String time, String actor, String action, String subject,
                              String payload, String previousHash) {
        if (form == CURRENT_FORM) {
            return sha256Hex(content(seq, time, actor, action, subject, payload, previousHash));
        }
        if (form == LegacyHashForm.FORM) {
            return LegacyHashForm.hash(previousHash, LegacyHashForm.content(seq, time, actor, action, subject, payload));
        }
        throw new IllegalArgumentException("Unknown audit hash form " + form);
    }

    /** The form-2 content: RFC 8785 of the event with its payload as a JSON value (canonicalized again). */
    static String content(long seq, String time, String actor, String action, String subject, String payload,
                          String previousHash) {
        String canonicalPayload = Jcs.canonicalize(payload);
        // Members in RFC 8785 order (sorted by UTF-16 code units); the payload is already canonical.
        StringBuilder out = new StringBuilder(240 + canonicalPayload.length());
        out.append("{\"action\":");
        Jcs.writeString(action, out);
        out.append(",\"actor\":");
        Jcs.writeString(actor, out);
        out.append(",\"hashForm\":").append(CURRENT_FORM);
        out.append(",\"payload\":").append(canonicalPayload);
        out.append(",\"prevHash\":");
        Jcs.writeString(previousHash, out);
        out.append(",\"seq\":").append(Jcs.number(seq));
        out.append(",\"subject\":");
        Jcs.writeString(subject, out);
        out.append(",\"time\":");
        Jcs.writeString(time, out);
        out.append('}');
        return out.toString();
    }

    static String sha256Hex(String text) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        return HexFormat.of().formatHex(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
