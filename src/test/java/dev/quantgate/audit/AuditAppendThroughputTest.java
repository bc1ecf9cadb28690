package dev.quantgate.audit;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures appends per second, each in its own transaction, as the webhook receiver makes them.
 * Opt-in, as timings on a shared machine are not assertions: {@code -Dquantgate.bench=true}.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "quantgate.bench", matches = "true")
class AuditAppendThroughputTest {

    @Inject
    AuditLog auditLog;

    @Inject
    AuditSealer sealer;

    @Test
    void shouldReportAppendThroughput() throws Exception {
        int threads = 16;
        long warmupEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmupEnd) {
            auditLog.append("bench", "bench.warmup", "bench", Map.of());
        }
        AtomicLong count = new AtomicLong();
        long end = System.nanoTime() + 5_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    auditLog.append("mlflow-webhook", "webhook.accepted", "delivery:" + count.get(),
                            Map.of("entity", "model_version", "action", "created", "status", 200));
                    count.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        long sealStart = System.nanoTime();
        int backlog = sealer.sealAll();
        System.out.printf("AUDIT THROUGHPUT: %d appends in 5 s = %.0f/s with %d threads; backlog %d sealed in %d ms%n",
                count.get(), count.get() / 5.0, threads, backlog, (System.nanoTime() - sealStart) / 1_000_000);
    }
}
