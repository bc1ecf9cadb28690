package dev.quantgate.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes every value of an event storable, so that no event is ever lost to its own content.
 * PostgreSQL text cannot hold U+0000 and UTF-8 cannot hold a lone surrogate: both are written as the
 * six characters of their JSON escape ({@code \u0000}). A value longer than its column is cut and
 * ends with {@value #CUT_MARKER}. Whenever a column value was altered, the payload says so under
 * {@value #ALTERED_KEY}: which column, whether it was escaped, its full length and the SHA-256 of the
 * full escaped value. A payload that has no canonical JSON form (NaN, an integer beyond 2^53) is
 * replaced by {@code {"unstorable_payload": reason}}.
 */
final class AuditValues {

    static final int ACTOR_MAX = 200;
    static final int ACTION_MAX = 200;
    static final int SUBJECT_MAX = 500;
    static final String CUT_MARKER = "…[cut]";
    static final String ALTERED_KEY = "audit_altered";

    private AuditValues() {
    }

    /** An event ready to insert: column values that fit and the canonical payload text. */
    record Storable(String actor, String action, String subject, String payload) {
    }

    static Storable of(String actor, String action, String subject, Map<String, ?> payload) {
        Map<String, Object> altered = new LinkedHashMap<>();
        String a = column("actor", actor, ACTOR_MAX, altered);
        String act = column("action", action, ACTION_MAX, altered);
        String s = column("subject", subject, SUBJECT_MAX, altered);
        Map<String, Object> full = new LinkedHashMap<>();
        if (payload != null) {
            payload.forEach((k, v) -> full.put(escapeSurrogatesOnly(k), clean(v)));
        }
        if (!altered.isEmpty()) {
            full.put(ALTERED_KEY, altered);
        }
        String text;
        try {
            text = AuditHashing.canonicalPayload(full);
        } catch (IllegalArgumentException e) {
            Map<String, Object> fallback = new LinkedHashMap<>();
            fallback.put("unstorable_payload", e.getMessage());
            if (!altered.isEmpty()) {
                fallback.put(ALTERED_KEY, altered);
            }
            text = AuditHashing.canonicalPayload(fallback);
        }
        return new Storable(a, act, s, text);
    }

    /** The value as stored in a column of {@code max} characters (PostgreSQL counts code points). */
    static String column(String name, String value, int max, Map<String, Object> altered) {
        String escaped = escape(value);
        int length = escaped.codePointCount(0, escaped.length());
        if (escaped.equals(value) && length <= max) {
            return value;
        }
        Map<String, Object> note = new LinkedHashMap<>();
        note.put("escaped", !escaped.equals(value));
        note.put("length", length);
        note.put("sha256", sha256(escaped));
        altered.put(name, note);
        if (length <= max) {
            return escaped;
        }
        int keep = max - CUT_MARKER.length();
        return escaped.substring(0, escaped.offsetByCodePoints(0, keep)) + CUT_MARKER;
    }

    /** U+0000 and lone surrogates as their JSON escapes; everything else as itself. */
    static String escape(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1));
            boolean bad = c == 0 || (Character.isSurrogate(c) && !pair);
            if (bad && out == null) {
                out = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            if (out != null) {
                if (bad) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                    if (pair) {
                        out.append(value.charAt(i + 1));
                    }
                }
            }
            if (pair) {
                i++;
            }
        }
        return out == null ? value : out.toString();
    }

    private static Object clean(Object value) {
        if (value instanceof String s) {
            return escapeSurrogatesOnly(s);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k == null ? null : escapeSurrogatesOnly(k.toString()), clean(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(clean(v)));
            return copy;
        }
        return value;
    }

    /** In the payload a NUL is fine (canonical JSON escapes it); a lone surrogate is not. */
    private static String escapeSurrogatesOnly(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return escapeLoneSurrogates(s);
            }
        }
        return s;
    }

    private static String escapeLoneSurrogates(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

}
