package dev.quantgate.kernel;

import dev.quantgate.kernel.retry.AttemptEvent;
import dev.quantgate.kernel.retry.Retrier;
import dev.quantgate.kernel.retry.RetryHandler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What every claiming queue (webhook inbox, MLflow outbox, the job queue) runs on: its
 * {@link Retrier}, its clock for claims and due times, and its background loop with a wake-up.
 * The queue itself owns only its table and its SQL.
 */
public final class WorkQueue {

    private final String name;
    private final Retrier retrier;
    private final Clock clock;
    private final Loops loops;
    private volatile BackgroundLoop loop;

    WorkQueue(String name, Retrier retrier, Clock clock, Loops loops) {
        this.name = name;
        this.retrier = retrier;
        this.clock = clock;
        this.loops = loops;
    }

    /** Starts the queue's background threads, each running {@code step} (see {@link BackgroundLoop}). */
    public void startLoop(int threads, Duration maxIdle, BackgroundLoop.Step step) {
        loop = loops.start(name, threads, maxIdle, step);
    }

    /** Work was committed or released: waiting threads look for it now (nothing when no loop runs). */
    public void wake() {
        BackgroundLoop current = loop;
        if (current != null) {
            current.wake();
        }
    }

    /** A claim of {@code length} from now, on the queue's clock. */
    public Lease lease(Duration length) {
        return Lease.take(clock, length);
    }

    /** Now, on the queue's clock. */
    public Instant now() {
        return clock.instant();
    }

    /** The wait until {@code due} (see {@link BackgroundLoop#until}). */
    public Duration until(Instant due) {
        return BackgroundLoop.until(due, clock);
    }

    /** One attempt through the queue's {@link Retrier}. */
    public <T> AttemptEvent.AfterAttempt attempt(String taskId, int attempt, T task,
                                                 List<? extends RetryHandler<? super T>> handlers,
                                                 Retrier.Recorder recorder) {
        return retrier.attempt(taskId, attempt, task, handlers, recorder);
    }
}
