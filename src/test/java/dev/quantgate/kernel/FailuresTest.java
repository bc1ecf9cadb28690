package dev.quantgate.kernel;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailuresTest {

    @ParameterizedTest(name = "SQLSTATE {0}: bad data {1}, transient {2}")
    @CsvSource({"22021, true, false", "22001, true, false", "22P02, true, false", "23502, true, false",
            "23505, false, false", "40001, false, true", "40P01, false, true", "08006, false, true",
            "57P01, false, true", "55P03, false, true", "42P01, false, false"})
    void shouldTellBadDataFromPassingDatabaseFailures(String state, boolean badData, boolean transientFailure) {
        RuntimeException wrapped = new IllegalStateException("outer",
                new RuntimeException("hibernate", new SQLException("ERROR: something", state)));
        assertEquals(badData, Failures.isBadData(wrapped));
        assertEquals(transientFailure, Failures.isTransientDatabase(wrapped));
    }

    @Test
    void shouldEscapeControlCharactersSoALogLineCannotBeForged() {
        assertEquals("a\\nb\\u0000c\\td\\u001b", Failures.escape("a\nb\u0000c\td\u001b"));
        assertEquals("plain – unicode ✓", Failures.escape("plain – unicode ✓"));
    }

    @Test
    void shouldNameAFreshReferenceInTheStoredText() {
        String text = Failures.logged(Logger.getLogger(FailuresTest.class), Logger.Level.DEBUG, "It failed",
                new IllegalStateException("SELECT secret FROM x"));
        assertTrue(text.matches("It failed \\(ref [0-9a-f]{6}\\)"), text);
    }

    @Test
    void shouldClipLongTexts() {
        assertEquals(2000, Failures.clip("x".repeat(5000)).length());
    }
}
