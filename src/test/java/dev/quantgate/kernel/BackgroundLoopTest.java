package dev.quantgate.kernel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackgroundLoopTest {

    private BackgroundLoop loop;

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldRunTheStepAgainAtOnceWhenWokenInsteadOfWaitingItsDueTime() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        loop = new BackgroundLoop("test-wake", 1, Duration.ofHours(1), () -> {
            if (runs.incrementAndGet() == 1) {
                first.countDown();
            } else {
                second.countDown();
            }
            return Duration.ofHours(1); // next due in an hour
        });
        loop.start();
        assertTrue(first.await(5, TimeUnit.SECONDS));
        assertFalse(second.await(200, TimeUnit.MILLISECONDS), "waits for its due time, not a fixed sleep");
        long woken = System.nanoTime();
        loop.wake();
        assertTrue(second.await(5, TimeUnit.SECONDS), "a wake-up runs the step before its due time");
        assertTrue(Duration.ofNanos(System.nanoTime() - woken).toMillis() < 5000);
    }

    @Test
    void shouldRunAgainWhenTheStepSaysItsNextWorkIsDue() throws Exception {
        CountDownLatch three = new CountDownLatch(3);
        loop = new BackgroundLoop("test-due", 1, Duration.ofHours(1), () -> {
            three.countDown();
            return Duration.ofMillis(20);
        });
        loop.start();
        assertTrue(three.await(5, TimeUnit.SECONDS), "runs again once the wait the step asked for has passed");
    }

    @Test
    void shouldKeepRunningAfterAStepFails() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch recovered = new CountDownLatch(1);
        loop = new BackgroundLoop("test-fail", 1, Duration.ofHours(1), () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first run fails");
            }
            recovered.countDown();
            return Duration.ofHours(1);
        });
        loop.start();
        assertTrue(recovered.await(10, TimeUnit.SECONDS), "a failure is retried after a backoff");
        assertEquals(2, runs.get());
    }

    @Test
    void shouldStopBlockedThreadsPromptly() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        loop = new BackgroundLoop("test-stop", 2, Duration.ofHours(1), () -> {
            started.countDown();
            new CountDownLatch(1).await(); // blocked in the step itself, until interrupted
            return Duration.ZERO;
        });
        loop.start();
        assertTrue(started.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        loop.stop(Duration.ofSeconds(5));
        assertFalse(loop.running());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 4000, "interrupted, not waited out");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("test-stop-")),
                "its threads are gone");
        loop = null;
    }
}
