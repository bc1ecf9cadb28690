package dev.quantgate.kernel;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * The one clock every time decision reads (retry times, lease expiry, timestamp checks, waiver
 * expiry). Production uses the system clock in UTC; tests replace this bean to move time.
 */
@Singleton
public class ClockProducer {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
