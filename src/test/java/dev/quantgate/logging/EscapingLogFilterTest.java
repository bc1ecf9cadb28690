package dev.quantgate.logging;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No value from outside can end a log line: control characters come out as escapes. */
class EscapingLogFilterTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "plain name            | ci-pipeline",
            "newline               | evil\\nINFO forged",
            "carriage return       | evil\\rINFO forged",
            "NUL                   | evil\\u0000",
            "escape (ANSI)         | \\u001b[31mred",
            "C1 next line          | a\\u0085b",
            "line separator        | a\\u2028b",
            "tab                   | a\\tb"})
    void shouldWriteEveryControlCharacterAsAnEscape(String what, String expected) {
        String raw = unescapeJava(expected);

        String logged = LogText.escape(raw);

        assertEquals(expected, logged, what);
        assertTrue(logged.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028), what);
    }

    @Test
    void shouldCutLongValuesWithAMarker() {
        assertEquals("abc...(3 more characters)", LogText.escape("abcdef", 3));
        assertEquals("a\\nb", LogText.escape("a\nb", 10));
    }

    @Test
    void shouldEscapeTheWholeMessageOfQuantGateRecords() {
        ExtLogRecord record = new ExtLogRecord(Level.WARNING, "Refused token %s from %s", ExtLogRecord.FormatStyle.PRINTF,
                "dev.quantgate.security.X");
        record.setLoggerName("dev.quantgate.security.TokenAuthenticator");
        record.setParameters(new Object[] {"evil\nINFO [io.quarkus] forged", "10.0.0.1"});

        assertTrue(new EscapingLogFilter().isLoggable(record));

        assertEquals("Refused token evil\\nINFO [io.quarkus] forged from 10.0.0.1", record.getFormattedMessage());
    }

    @Test
    void shouldEscapeTheTextParametersOfOtherLibrariesRecords() {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, "Request {0}", ExtLogRecord.FormatStyle.MESSAGE_FORMAT,
                "io.vertx.X");
        record.setLoggerName("io.vertx.core.Something");
        record.setParameters(new Object[] {"/a\r\nforged"});

        new EscapingLogFilter().isLoggable(record);

        assertEquals("Request /a\\r\\nforged", record.getFormattedMessage());
    }

    @Test
    void shouldEscapeExceptionMessagesDownTheCauseChainKeepingStackTraces() {
        IllegalStateException cause = new IllegalStateException("value 'x\u0000\ny' refused");
        RuntimeException thrown = new RuntimeException("wrapper", cause);
        ExtLogRecord record = new ExtLogRecord(Level.SEVERE, "failed", "dev.quantgate.X");
        record.setLoggerName("dev.quantgate.audit.AuditedInterceptor");
        record.setThrown(thrown);

        new EscapingLogFilter().isLoggable(record);

        Throwable logged = record.getThrown();
        assertNotSame(thrown, logged);
        assertEquals("java.lang.RuntimeException: wrapper", logged.toString());
        assertEquals("java.lang.IllegalStateException: value 'x\\u0000\\ny' refused", logged.getCause().toString());
        assertEquals(thrown.getStackTrace().length, logged.getStackTrace().length);
        assertEquals("value 'x\u0000\ny' refused", cause.getMessage(), "the original exception is untouched");
    }

    @Test
    void shouldLeaveCleanRecordsAlone() {
        RuntimeException thrown = new RuntimeException("clean");
        ExtLogRecord record = new ExtLogRecord(Level.INFO, "all fine %s", ExtLogRecord.FormatStyle.PRINTF, "dev.quantgate.X");
        record.setLoggerName("dev.quantgate.X");
        record.setParameters(new Object[] {"here"});
        record.setThrown(thrown);

        new EscapingLogFilter().isLoggable(record);

        assertSame(thrown, record.getThrown());
        assertEquals("all fine here", record.getFormattedMessage());
        assertFalse(LogText.needsEscaping(record.getFormattedMessage()));
    }

    private static String unescapeJava(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append('\\').append(n);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
