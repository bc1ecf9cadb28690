package dev.quantgate.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

    private static final Backoff EXACT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Backoff.Jitter.NONE);

    @ParameterizedTest(name = "after {0} failures: {1} ms")
    @CsvSource({"1, 100", "2, 200", "3, 400", "4, 800", "5, 1000", "40, 1000", "63, 1000", "2147483647, 1000", "0, 100"})
    void shouldDoubleUpToTheCap(int failures, long millis) {
        assertEquals(Duration.ofMillis(millis), EXACT.delay(failures));
    }

    @ParameterizedTest(name = "{0} jitter, random {1}: {2} ms")
    @CsvSource({"FULL, 0.0, 0", "FULL, 0.5, 200", "FULL, 0.999, 400", "EQUAL, 0.0, 200", "EQUAL, 0.5, 300",
            "EQUAL, 0.999, 400", "NONE, 0.3, 400"})
    void shouldSpreadTheWaitWithinItsJitterBounds(Backoff.Jitter jitter, double random, long millis) {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), jitter);
        assertEquals(Duration.ofMillis(millis), backoff.delay(3, () -> random));
    }

    @Test
    void shouldStayWithinBoundsWithRealRandomness() {
        Backoff equal = new Backoff(Duration.ofMillis(100), Duration.ofMinutes(5), Backoff.Jitter.EQUAL);
        for (int failures = 1; failures < 30; failures++) {
            long base = equal.base(failures).toMillis();
            long d = equal.delay(failures).toMillis();
            assertTrue(d >= base / 2 && d <= base, failures + ": " + d + " not within [" + base / 2 + ", " + base + "]");
        }
    }

    @Test
    void shouldRefuseANonPositiveInitialWaitAndNameTheJitterChoices() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1),
                Backoff.Jitter.NONE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backoff.Jitter.parse("lots"));
        assertTrue(e.getMessage().contains("none, full or equal"), e.getMessage());
        assertEquals(Backoff.Jitter.EQUAL, Backoff.Jitter.parse(" Equal "));
    }

    @Test
    void shouldRaiseAMaxBelowTheInitialWaitToIt() {
        Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), Backoff.Jitter.NONE);
        assertEquals(Duration.ofSeconds(2), backoff.delay(5));
    }
}
