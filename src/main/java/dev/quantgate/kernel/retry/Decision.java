package dev.quantgate.kernel.retry;

import java.time.Duration;
import java.time.Instant;

/** What the queue records after an attempt: done, due again at a time, or parked for a person to look at. */
public sealed interface Decision {

    /** Finished; {@code result} as the handler named it. */
    record Completed(String result) implements Decision {
    }

    /** Due again at {@code at} ({@code delay} after the attempt ended), because of {@code reason}. */
    record RetryAt(Instant at, Duration delay, String reason) implements Decision {
    }

    /** Given up on (a permanent failure, or attempts used up) until someone releases it. */
    record Parked(String reason) implements Decision {
    }

    /** The outcome's label for metrics and logs: the result, {@code retry} or {@code parked}. */
    default String label() {
        if (this instanceof Completed c) {
            return c.result();
        }
        return this instanceof RetryAt ? "retry" : "parked";
    }
}
