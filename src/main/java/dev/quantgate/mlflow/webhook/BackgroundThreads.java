package dev.quantgate.mlflow.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A fixed set of named daemon threads running one loop, started at boot and stopped at shutdown. */
final class BackgroundThreads {

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    /** Starts {@code count} threads named {@code prefix-0}, {@code prefix-1}, ... each running {@code loop}. */
    void start(String prefix, int count, Runnable loop) {
        running = true;
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(loop, prefix + "-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    /** Whether the loops should go on; false from the moment {@link #stop()} begins. */
    boolean running() {
        return running;
    }

    int size() {
        return threads.size();
    }

    /** Tells the loops to end, interrupts them and waits up to 5 s for each. */
    void stop() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
