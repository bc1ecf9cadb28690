package dev.quantgate.kernel.retry;

import dev.quantgate.kernel.Backoff;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Turns an attempt's {@link Outcome} into the queue's {@link Decision}: a transient failure is
 * retried after the backoff until {@code maxAttempts} attempts have failed, then parked; a
 * permanent one is parked at once.
 *
 * @param maxAttempts attempts after which a transient failure parks the task ({@link Integer#MAX_VALUE}: never)
 * @param backoff     the wait after each failed attempt
 */
public record RetryPolicy(int maxAttempts, Backoff backoff) {

    public RetryPolicy {
        Objects.requireNonNull(backoff, "backoff");
        maxAttempts = Math.max(1, maxAttempts);
    }

    /**
     * @param outcome what the attempt came to
     * @param attempt which attempt it was (1 for the first)
     * @param now     when it ended, on the queue's clock
     */
    public Decision decide(Outcome outcome, int attempt, Instant now) {
        if (outcome instanceof Outcome.Done done) {
            return new Decision.Completed(done.result());
        }
        if (outcome instanceof Outcome.FailedForGood failed) {
            return new Decision.Parked(failed.reason());
        }
        Outcome.RetryLater retry = (Outcome.RetryLater) outcome;
        if (attempt >= maxAttempts) {
            return new Decision.Parked("Gave up after " + attempt + " attempts: " + retry.reason());
        }
        Duration wait = retry.delay().orElseGet(() -> backoff.delay(attempt));
        return new Decision.RetryAt(now.plus(wait), wait, retry.reason());
    }
}
