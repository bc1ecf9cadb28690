package dev.quantgate.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Hash form 1: how the audit trail hashed events before RFC 8785 (hash form 2, {@link AuditHashing}).
 * Kept, unchanged, so that chains sealed in this form keep verifying; nothing new is sealed with it.
 * <pre>
 * content = {"action":A,"actor":B,"payload":P,"seq":N,"subject":S,"time":T}   (keys sorted, no whitespace)
 * hash    = lower-hex( SHA-256( UTF-8( prev_hash + content ) ) )
 * </pre>
 * with {@code P} the stored payload text spliced in as is. Its canonical JSON:
 * <ul>
 *   <li>object members sorted by key (Java {@code String} order, i.e. by UTF-16 code unit), no duplicates;</li>
 *   <li>no whitespace outside strings;</li>
 *   <li>strings escape only {@code "}, {@code \} and control characters below U+0020 ({@code \b \f \n \r \t},
 *       others as backslash-u and four lower-case hex digits); every other character is written as itself, in UTF-8;</li>
 *   <li>numbers in one format: plain decimal, no exponent, no leading {@code +}, no trailing fractional zeros,
 *       integral values without a fraction ({@code 5.0} and {@code 5} are both {@code 5}, {@code -0} is {@code 0});
 *       NaN and infinities are refused;</li>
 *   <li>{@code true}, {@code false}, {@code null}; enums, UUIDs and java.time values as their
 *       {@code toString()} strings.</li>
 * </ul>
 * Accepted inputs: {@code Map} (keys as strings), {@code Iterable}, arrays of objects, {@code CharSequence},
 * {@code Number}, {@code Boolean}, {@code null}, enums, UUIDs, {@code java.time} values and Jackson {@code JsonNode}.
 * Anything else is refused, so that the hashed bytes never depend on an object's {@code toString()}.
 */
final class LegacyHashForm {

    static final int FORM = 1;

    private LegacyHashForm() {
    }

    /** The content of one event in form 1; {@code payload} is spliced in as is. */
    static String content(long seq, String time, String actor, String action, String subject, String payload) {
        StringBuilder out = new StringBuilder(160 + payload.length());
        out.append("{\"action\":");
        writeString(action, out);
        out.append(",\"actor\":");
        writeString(actor, out);
        out.append(",\"payload\":").append(payload);
        out.append(",\"seq\":").append(seq);
        out.append(",\"subject\":");
        writeString(subject, out);
        out.append(",\"time\":");
        writeString(time, out);
        out.append('}');
        return out.toString();
    }

    /** Form 1's hash: SHA-256 over the previous hash's hex followed by the content. */
    static String hash(String previousHash, String content) {
        return AuditHashing.sha256Hex(previousHash + content);
    }

    /** Form 1's payload writer (numbers as plain decimals without exponent). */
    static String write(Object value) {
        StringBuilder out = new StringBuilder(128);
        write(value, out);
        return out.toString();
    }

    /** Writes a JSON string literal (quotes included) in canonical form. */
    static void writeString(CharSequence s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof CharSequence s) {
            writeString(s, out);
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Number n) {
            out.append(number(n));
        } else if (value instanceof Map<?, ?> map) {
            writeObject(map, out);
        } else if (value instanceof JsonNode node) {
            writeNode(node, out);
        } else if (value instanceof Iterable<?> items) {
            writeArray(items.iterator(), out);
        } else if (value instanceof Object[] array) {
            writeArray(java.util.Arrays.asList(array).iterator(), out);
        } else if (value instanceof Enum<?> || value instanceof UUID || value instanceof TemporalAccessor) {
            writeString(value.toString(), out);
        } else {
            throw new IllegalArgumentException("Cannot write " + value.getClass().getName()
                    + " as canonical JSON; pass maps, lists, strings, numbers, booleans or null");
        }
    }

    private static void writeObject(Map<?, ?> map, StringBuilder out) {
        TreeMap<String, Object> sorted = new TreeMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("Canonical JSON object keys cannot be null");
            }
            if (sorted.put(e.getKey().toString(), e.getValue()) != null) {
                throw new IllegalArgumentException("Duplicate key '" + e.getKey() + "' in canonical JSON object");
            }
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : sorted.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(e.getKey(), out);
            out.append(':');
            write(e.getValue(), out);
        }
        out.append('}');
    }

    private static void writeArray(Iterator<?> items, StringBuilder out) {
        out.append('[');
        boolean first = true;
        while (items.hasNext()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            write(items.next(), out);
        }
        out.append(']');
    }

    private static void writeNode(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
            writeObject(fields, out);
        } else if (node.isArray()) {
            writeArray(node.elements(), out);
        } else if (node.isTextual()) {
            writeString(node.textValue(), out);
        } else if (node.isNumber()) {
            out.append(number(node.numberValue()));
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else if (node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else {
            throw new IllegalArgumentException("Cannot write JSON node of type " + node.getNodeType() + " canonically");
        }
    }

    /** Plain decimal, no exponent, no trailing fractional zeros. */
    static String number(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
            return Long.toString(n.longValue());
        }
        if (n instanceof BigInteger big) {
            return big.toString();
        }
        BigDecimal decimal;
        if (n instanceof BigDecimal d) {
            decimal = d;
        } else {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("NaN and infinite numbers have no canonical JSON form");
            }
            // Float goes through its own shortest decimal form so that 0.1f is written 0.1.
            decimal = n instanceof Float f ? new BigDecimal(Float.toString(f)) : new BigDecimal(Double.toString(d));
        }
        if (decimal.signum() == 0) {
            return "0";
        }
        return decimal.stripTrailingZeros().toPlainString();
    }
}
