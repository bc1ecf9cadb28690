package dev.quantgate.kernel.retry;

import dev.quantgate.kernel.Failures;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Runs one attempt of a queued task through the first {@link RetryHandler} that can handle it,
 * turns its {@link Outcome} into a {@link Decision} with the queue's {@link RetryPolicy} on the
 * queue's {@link Clock}, lets the queue record it, and tells the {@link AttemptListener}s before
 * and after. The queue owns its table; this class owns what every queue does the same way.
 */
public final class Retrier {

    /** Records a decision durably (the queue's short transaction, with the audit event it writes). */
    @FunctionalInterface
    public interface Recorder {
        void record(AttemptEvent.AfterAttempt attempt);
    }

    private static final Logger LOG = Logger.getLogger(Retrier.class);

    private final String queue;
    private final RetryPolicy policy;
    private final Clock clock;
    private final List<AttemptListener> listeners;

    public Retrier(String queue, RetryPolicy policy, Clock clock, List<? extends AttemptListener> listeners) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listeners = List.copyOf(listeners);
    }

    public String queue() {
        return queue;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * One attempt.
     *
     * @param taskId   the task's id, for events and logs
     * @param attempt  which attempt this is (1 for the first)
     * @param task     the task
     * @param handlers candidates, the first that {@link RetryHandler#canHandle can handle} it does
     * @param recorder records the decision; if it throws, nothing was recorded and the exception propagates
     * @return what happened
     */
    public <T> AttemptEvent.AfterAttempt attempt(String taskId, int attempt, T task,
                                                 List<? extends RetryHandler<? super T>> handlers, Recorder recorder) {
        Instant started = clock.instant();
        AttemptEvent.BeforeAttempt before = new AttemptEvent.BeforeAttempt(queue, taskId, attempt, started);
        listeners.forEach(l -> notify(() -> l.beforeAttempt(before)));
        Outcome outcome = run(taskId, task, handlers);
        Instant ended = clock.instant();
        Decision decision = policy.decide(outcome, attempt, ended);
        AttemptEvent.AfterAttempt after = new AttemptEvent.AfterAttempt(queue, taskId, attempt, started,
                Duration.between(started, ended), outcome, decision);
        recorder.record(after);
        listeners.forEach(l -> notify(() -> l.afterAttempt(after)));
        return after;
    }

    private <T> Outcome run(String taskId, T task, List<? extends RetryHandler<? super T>> handlers) {
        for (RetryHandler<? super T> handler : handlers) {
            if (handler.canHandle(task)) {
                try {
                    return Objects.requireNonNull(handler.handle(task), "outcome");
                } catch (RuntimeException e) {
                    return new Outcome.RetryLater(Failures.logged(LOG, Logger.Level.ERROR,
                            "Unexpected error while processing " + queue + " task " + taskId, e));
                }
            }
        }
        return new Outcome.FailedForGood("No handler in " + queue + " can process this task");
    }

    private static void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "An attempt listener failed; ignored");
        }
    }
}
