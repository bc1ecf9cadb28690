package dev.quantgate.kernel;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with a cap and optional jitter: the wait after the {@code n}th failure is
 * {@code initial × 2^(n-1)}, at most {@code max}, then spread by the {@link Jitter} so that many
 * retries that failed together do not all come back together.
 *
 * @param initial the wait after the first failure
 * @param max     the longest wait
 * @param jitter  how the wait is spread
 */
public record Backoff(Duration initial, Duration max, Jitter jitter) {

    /** How a computed wait {@code w} is spread (the names of the AWS Architecture Blog's article on backoff). */
    public enum Jitter {
        /** Exactly {@code w}. */
        NONE,
        /** Uniform in {@code [0, w]}. */
        FULL,
        /** Uniform in {@code [w/2, w]}: never less than half, spreads still. */
        EQUAL;

        /** Reads {@code none}, {@code full} or {@code equal} (any case), naming the choices when it is none of them. */
        public static Jitter parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("A backoff jitter is none, full or equal, was '" + text + "'", e);
            }
        }
    }

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(jitter, "jitter");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("The initial backoff must be positive, was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            max = initial;
        }
    }

    /** The wait after this many failures (1 or more), with jitter from {@link ThreadLocalRandom}. */
    public Duration delay(int failures) {
        return delay(failures, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The wait after this many failures, drawing jitter from {@code random} (values in {@code [0, 1)}). */
    public Duration delay(int failures, DoubleSupplier random) {
        long base = base(failures).toMillis();
        return Duration.ofMillis(switch (jitter) {
            case NONE -> base;
            case FULL -> Math.round(base * random.getAsDouble());
            case EQUAL -> base / 2 + Math.round((base - base / 2) * random.getAsDouble());
        });
    }

    /** The capped exponential wait before jitter. */
    public Duration base(int failures) {
        long initialMs = Math.max(1, initial.toMillis());
        long maxMs = max.toMillis();
        int doublings = Math.min(Math.max(0, failures - 1), 62);
        // initial × 2^doublings > max, tested without overflowing
        return Duration.ofMillis(initialMs > (maxMs >> doublings) ? maxMs : initialMs << doublings);
    }
}
