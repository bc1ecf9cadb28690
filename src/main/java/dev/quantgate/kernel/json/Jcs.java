package dev.quantgate.kernel.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.erdtman.jcs.JsonCanonicalizer;
import org.erdtman.jcs.NumberToJSON;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.temporal.TemporalAccessor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one canonical JSON for everything QuantGate hashes,
 * so that anyone can re-hash with an off-the-shelf JCS library in any language.
 * <ul>
 *   <li>object members sorted by key, comparing UTF-16 code units (Java's {@code String} order); no duplicates;</li>
 *   <li>no whitespace; strings escape only {@code "} {@code \} and U+0000..U+001F: {@code \b \t \n \f \r} short,
 *       the others as backslash-u and four lower-case hex digits; everything else is written as itself (UTF-8);
 *       lone surrogates are refused (JCS input is I-JSON, RFC 7493);</li>
 *   <li>numbers are IEEE-754 doubles written as ECMAScript's {@code Number.prototype.toString} does
 *       ({@code 1e+21}, {@code 0.000001}, {@code 1e-7}, {@code -0} as {@code 0}), through the RFC authors'
 *       Java implementation ({@code io.github.erdtman:java-json-canonicalization});</li>
 *   <li>NaN and infinities are refused, whatever their type: JSON has no form for them;</li>
 *   <li>a {@code float} is widened through its own shortest decimal ({@code Float.toString}, then the nearest
 *       double), so {@code 0.1f} is written {@code 0.1}, not {@code 0.10000000149011612};</li>
 *   <li>integers ({@code int}, {@code long}, {@code BigInteger}) beyond ±2^53 are refused: as doubles they would
 *       silently become another integer; write such values as strings;</li>
 *   <li>enums, UUIDs and {@code java.time} values as their {@code toString()} strings.</li>
 * </ul>
 * Accepted inputs: {@code Map} (keys as strings), {@code Iterable}, object arrays, {@code CharSequence},
 * {@code Number}, {@code Boolean}, {@code null}, enums, UUIDs, {@code java.time} values and Jackson
 * {@code JsonNode}. Anything else is refused, so the bytes never depend on an object's {@code toString()}.
 * Refusals are {@link IllegalArgumentException}s whose message names the problem.
 */
public final class Jcs {

    /** 2^53: the largest integer magnitude a double holds exactly next to all its neighbours. */
    private static final long MAX_EXACT_INTEGER = 1L << 53;
    private static final BigInteger MAX_EXACT_BIG = BigInteger.valueOf(MAX_EXACT_INTEGER);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Jcs() {
    }

    /** The canonical JSON text of a value. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(128);
        write(value, out);
        return out.toString();
    }

    /** The canonical JSON of a value as UTF-8 bytes: what is hashed. */
    public static byte[] utf8(Object value) {
        return write(value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Canonicalizes JSON text (parsed as JCS prescribes: numbers as doubles). The result is what any
     * RFC 8785 library produces from the same text.
     */
    public static String canonicalize(String json) {
        try {
            return new JsonCanonicalizer(json).getEncodedString();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Not JSON that can be canonicalized: " + e.getMessage(), e);
        }
    }

    /** Writes a JSON string literal (quotes included) in canonical form. */
    public static void writeString(CharSequence s, StringBuilder out) {
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
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new IllegalArgumentException("A string holds a lone surrogate (U+"
                                + Integer.toHexString(c).toUpperCase() + " at index " + i
                                + "), which RFC 8785 cannot represent");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A number as RFC 8785 writes it (ECMAScript form of the nearest double). */
    public static String number(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
            return integer(n.longValue());
        }
        if (n instanceof BigInteger big) {
            if (big.abs().compareTo(MAX_EXACT_BIG) > 0) {
                throw new IllegalArgumentException("The integer " + big + " is beyond ±2^53 and has no exact"
                        + " RFC 8785 form; write it as a string");
            }
            return integer(big.longValue());
        }
        double d;
        if (n instanceof Float f) {
            d = Float.isFinite(f) ? Double.parseDouble(Float.toString(f)) : f.doubleValue();
        } else if (n instanceof BigDecimal decimal) {
            d = decimal.doubleValue();
        } else {
            d = n.doubleValue();
        }
        return number(d);
    }

    /** A double as RFC 8785 writes it; NaN and infinities are refused. */
    public static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(d + " has no JSON form (RFC 8785 refuses NaN and infinities)");
        }
        try {
            return NumberToJSON.serializeNumber(d);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot write the number " + d + ": " + e.getMessage(), e);
        }
    }

    private static String integer(long v) {
        if (v > MAX_EXACT_INTEGER || v < -MAX_EXACT_INTEGER) {
            throw new IllegalArgumentException("The integer " + v + " is beyond ±2^53 and has no exact"
                    + " RFC 8785 form; write it as a string");
        }
        return Long.toString(v);
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
            writeArray(Arrays.asList(array).iterator(), out);
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
                throw new IllegalArgumentException("Duplicate key '" + e.getKey() + "' in a canonical JSON object");
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
            throw new IllegalArgumentException("Cannot write a JSON node of type " + node.getNodeType() + " canonically");
        }
    }
}
