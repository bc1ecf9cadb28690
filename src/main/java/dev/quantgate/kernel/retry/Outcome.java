package dev.quantgate.kernel.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one attempt of a task came to, as a {@link RetryHandler} reports it. Reasons are for people
 * (an operator reads them in the API); technical detail belongs in the log, named by a reference
 * (see {@link dev.quantgate.kernel.Failures}).
 */
public sealed interface Outcome {

    /** The task is done; {@code result} names how (e.g. {@code sent}, {@code processed}, {@code ignored}). */
    record Done(String result) implements Outcome {
        public Done {
            Objects.requireNonNull(result, "result");
        }
    }

    /** A transient failure: try again, after {@code delay} when given, else after the queue's backoff. */
    record RetryLater(String reason, Optional<Duration> delay) implements Outcome {
        public RetryLater {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(delay, "delay");
        }

        public RetryLater(String reason) {
            this(reason, Optional.empty());
        }
    }

    /** A permanent failure: trying again cannot help; the task is parked at once. */
    record FailedForGood(String reason) implements Outcome {
        public FailedForGood {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
