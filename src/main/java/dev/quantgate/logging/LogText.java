package dev.quantgate.logging;

/**
 * Makes a value from outside (a token name, a model name, a delivery id, an exception message)
 * safe to write into a log line: CR, LF, NUL, the other C0 and C1 control characters, DEL and the
 * Unicode line and paragraph separators are written as escapes ({@code \n}, {@code \r},
 * {@code \t}, {@code \u0000}), so a value can never end a line and forge the next one.
 *
 * <p>The one helper for this: call sites use {@link #escape}, and {@link EscapingLogFilter}
 * applies it to every record the console handler writes.
 */
public final class LogText {

    /** Longest value kept by {@link #escape(Object, int)} callers that want a bound. */
    public static final int DEFAULT_MAX = 500;

    private LogText() {
    }

    /** The value's text with every control character escaped; {@code null} stays {@code "null"}. */
    public static String escape(Object value) {
        String text = String.valueOf(value);
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        out.append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            appendEscaped(out, text.charAt(i));
        }
        return out.toString();
    }

    /** As {@link #escape(Object)}, cut after {@code max} characters of the original with a marker. */
    public static String escape(Object value, int max) {
        String text = String.valueOf(value);
        if (text.length() <= max) {
            return escape(text);
        }
        return escape(text.substring(0, max)) + "...(" + (text.length() - max) + " more characters)";
    }

    /** Whether the text holds a character {@link #escape} would rewrite. */
    public static boolean needsEscaping(CharSequence text) {
        return text != null && firstUnsafe(text) >= 0;
    }

    private static int firstUnsafe(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (unsafe(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean unsafe(char ch) {
        return ch < 0x20 || (ch >= 0x7f && ch <= 0x9f) || ch == '\u2028' || ch == '\u2029';
    }

    private static void appendEscaped(StringBuilder out, char ch) {
        if (!unsafe(ch)) {
            out.append(ch);
            return;
        }
        switch (ch) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(String.format("\\u%04x", (int) ch));
        }
    }
}
