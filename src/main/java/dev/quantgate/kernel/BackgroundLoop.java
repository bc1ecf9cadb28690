package dev.quantgate.kernel;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of named daemon threads each running one {@link Step} over and over, with a clean
 * start and stop and a wake-up signal. Between two runs a thread waits for as long as the step
 * said (the time until its next due work, at most {@code maxIdle}) or until {@link #wake()} is
 * called, whichever comes first; it never sleeps for a fixed time. A step that throws is logged
 * and run again after a {@link Backoff} wait (which a wake-up also cuts short).
 */
public final class BackgroundLoop {

    /** One run of the loop's work. */
    @FunctionalInterface
    public interface Step {
        /**
         * Does some work.
         *
         * @return how long to wait before the next run: {@link Duration#ZERO} (or negative) when more
         *         work is waiting, else the time until the next due work
         * @throws InterruptedException when interrupted while blocked (the loop then ends if it is stopping)
         */
        Duration run() throws Exception;
    }

    /** What a step returns when nothing is due: the loop then waits its idle limit, or for a wake-up. */
    public static final Duration NOTHING_DUE = Duration.ofDays(1);
    /** The shortest wait for work that is due but was not taken (another transaction holds it): no tight loop. */
    public static final Duration MIN_WAIT = Duration.ofMillis(10);

    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class);
    private static final Backoff ON_ERROR = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10),
            Backoff.Jitter.EQUAL);

    private final String name;
    private final int size;
    private final Duration maxIdle;
    private final Step step;
    private final Semaphore wakeups = new Semaphore(0);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    /**
     * @param name    thread names are {@code name-0}, {@code name-1}, ...
     * @param size    how many threads run the step
     * @param maxIdle the longest a thread waits between two runs, whatever the step says
     * @param step    the work
     */
    public BackgroundLoop(String name, int size, Duration maxIdle, Step step) {
        this.name = Objects.requireNonNull(name, "name");
        this.size = Math.max(1, size);
        this.maxIdle = Objects.requireNonNull(maxIdle, "maxIdle");
        this.step = Objects.requireNonNull(step, "step");
    }

    /** The wait until {@code due} (nothing due when {@code null}), at least {@link #MIN_WAIT}. */
    public static Duration until(java.time.Instant due, java.time.Clock clock) {
        if (due == null) {
            return NOTHING_DUE;
        }
        Duration wait = Duration.between(clock.instant(), due);
        return wait.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait;
    }

    /** Starts the threads (once). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < size; i++) {
            Thread thread = new Thread(this::loop, name + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Whether the loop is started and not stopping. */
    public boolean running() {
        return running;
    }

    /** Work may be waiting: every waiting thread runs its step now. */
    public void wake() {
        int missing = size - wakeups.availablePermits();
        if (missing > 0) {
            wakeups.release(missing);
        }
    }

    /** Tells the threads to end, interrupts them and waits up to {@code grace} for each. */
    public void stop(Duration grace) {
        List<Thread> started;
        synchronized (this) {
            running = false;
            started = List.copyOf(threads);
            threads.clear();
        }
        started.forEach(Thread::interrupt);
        for (Thread thread : started) {
            try {
                thread.join(Math.max(1, grace.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void loop() {
        int failures = 0;
        while (running) {
            Duration wait;
            try {
                wait = step.run();
                failures = 0;
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                Thread.interrupted(); // a stray interrupt while running: carry on
                continue;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                failures++;
                wait = ON_ERROR.delay(failures);
                LOG.errorf(e, "%s failed (%d in a row); running it again in %d ms", name, failures, wait.toMillis());
            }
            if (wait == null || wait.isZero() || wait.isNegative()) {
                continue;
            }
            try {
                if (wakeups.tryAcquire(Math.max(1, Math.min(wait.toMillis(), maxIdle.toMillis())), TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                Thread.interrupted();
            }
        }
    }
}
