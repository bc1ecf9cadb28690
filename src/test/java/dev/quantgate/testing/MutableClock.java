package dev.quantgate.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The application's {@link Clock} in tests that enable it (a test profile's
 * {@code getEnabledAlternatives}): it ticks with the system clock from an anchor the test chooses,
 * and can be moved forward, so recorded deliveries replay at the time they were signed and retry
 * times can be reached without waiting. Set the anchor with {@code quantgate.test.clock-anchor}
 * (ISO-8601) in the profile; without it the clock starts at the real now.
 */
@Alternative
@Priority(1)
@Singleton
public class MutableClock extends Clock {

    private final Clock system = Clock.systemUTC();
    private volatile Duration offset;

    public MutableClock() {
        String anchor = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quantgate.test.clock-anchor", String.class).orElse("");
        offset = anchor.isBlank() ? Duration.ZERO : Duration.between(system.instant(), Instant.parse(anchor));
    }

    /** From now on the clock reads {@code now} and ticks on from there. */
    public void set(Instant now) {
        offset = Duration.between(system.instant(), now);
    }

    /** Moves the clock forward (or back, for a negative amount). */
    public void advance(Duration amount) {
        offset = offset.plus(amount);
    }

    @Override
    public Instant instant() {
        return system.instant().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("The application clock is UTC");
    }
}
