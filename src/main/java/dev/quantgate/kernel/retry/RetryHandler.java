package dev.quantgate.kernel.retry;

/**
 * Does one attempt of a kind of task (the Polaris task-handler shape). Runs with no transaction open
 * unless the handler opens its own short ones; it reports failures it understands as
 * {@link Outcome.RetryLater} or {@link Outcome.FailedForGood}. An exception it lets escape counts as
 * a transient failure with an unexpected cause.
 *
 * @param <T> the task
 */
public interface RetryHandler<T> {

    /** Whether this handler does tasks like this one; by default every task (a queue's only handler). */
    default boolean canHandle(T task) {
        return true;
    }

    /** One attempt. */
    Outcome handle(T task);
}
