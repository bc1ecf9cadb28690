package dev.quantgate.kernel;

import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Failures told apart and described: stored and shown texts are for people (no exception class
 * names, no SQL); the technical detail goes to the log under a short reference id that the stored
 * text names, e.g. {@code "The database refused the change (ref 7f3a1c)"}.
 */
public final class Failures {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_TEXT = 2000;
    /** PostgreSQL integrity violations that bad input causes (not null, check); a unique violation can be a race. */
    private static final Set<String> BAD_DATA_STATES = Set.of("23502", "23514");

    private Failures() {
    }

    /** A fresh reference id: six hex digits. */
    public static String newReference() {
        byte[] bytes = new byte[3];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Logs {@code failure} with its stack under a new reference and returns {@code summary} naming
     * that reference, for storing and showing.
     */
    public static String logged(Logger log, Logger.Level level, String summary, Throwable failure) {
        String ref = newReference();
        log.logf(level, failure, "[ref %s] %s", ref, escape(summary));
        return clip(summary + " (ref " + ref + ")");
    }

    /** The SQLSTATE of the first {@link SQLException} in the cause chain. */
    public static Optional<String> sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the database refused the data itself (a value too long, a NUL byte, a malformed number,
     * a missing required value): trying again with the same data cannot succeed.
     */
    public static boolean isBadData(Throwable failure) {
        return sqlState(failure).map(s -> s.startsWith("22") || BAD_DATA_STATES.contains(s)).orElse(false);
    }

    /**
     * Whether the database failed in a way that passes: connection lost (08), serialization failure
     * or deadlock (40), out of resources (53), shutting down (57), lock not available (55P03).
     */
    public static boolean isTransientDatabase(Throwable failure) {
        return sqlState(failure).map(s -> s.startsWith("08") || s.startsWith("40") || s.startsWith("53")
                || s.startsWith("57") || s.equals("55P03")).orElse(false);
    }

    /** The text with control characters escaped ({@code \n}, {@code \u0000}, ...), safe to write into one log line. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** At most 2000 characters, control characters escaped: what a stored error text may hold. */
    public static String clip(String text) {
        String safe = escape(text);
        return safe.length() <= MAX_TEXT ? safe : safe.substring(0, MAX_TEXT - 1) + "…";
    }
}
