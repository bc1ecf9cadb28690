package dev.quantgate.kernel;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@link BackgroundLoop}s and stops every one of them when the application shuts down, so
 * that the services owning a loop carry no start/stop code of their own (they are {@code @Startup}
 * beans that start their loop as the last thing their constructor does).
 */
@ApplicationScoped
public class Loops {

    private static final Duration GRACE = Duration.ofSeconds(5);

    private final List<BackgroundLoop> started = new ArrayList<>();

    /** Creates and starts a loop; see {@link BackgroundLoop#BackgroundLoop}. */
    public synchronized BackgroundLoop start(String name, int threads, Duration maxIdle, BackgroundLoop.Step step) {
        BackgroundLoop loop = new BackgroundLoop(name, threads, maxIdle, step);
        loop.start();
        started.add(loop);
        return loop;
    }

    void stopAll(@Observes ShutdownEvent event) {
        List<BackgroundLoop> loops;
        synchronized (this) {
            loops = new ArrayList<>(started);
            started.clear();
        }
        // Last started first: a loop feeding another stops before the one it feeds.
        for (int i = loops.size() - 1; i >= 0; i--) {
            loops.get(i).stop(GRACE);
        }
    }
}
