package dev.quantgate.kernel.retry;

import java.time.Duration;
import java.time.Instant;

/** Events around each attempt of a queued task, for metrics, logs and the audit trail. */
public sealed interface AttemptEvent {

    /** The queue ({@code webhook-inbox}, {@code mlflow-outbox}, ...). */
    String queue();

    /** The task's id within its queue. */
    String task();

    /** Which attempt (1 for the first). */
    int attempt();

    /** An attempt is about to start. */
    record BeforeAttempt(String queue, String task, int attempt, Instant at) implements AttemptEvent {
    }

    /** An attempt ended with {@code outcome}, which the queue turned into {@code decision}. */
    record AfterAttempt(String queue, String task, int attempt, Instant startedAt, Duration took, Outcome outcome,
                        Decision decision) implements AttemptEvent {
    }
}
