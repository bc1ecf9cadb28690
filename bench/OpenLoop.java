import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop constant-rate HTTP client (run as a single file: {@code java bench/OpenLoop.java}); wrk2 stands in here.
 *
 * <pre>
 * URL BEARER_TOKEN BODY_JSON PER_SECOND SECONDS EXPECTED_STATUS [WARMUP_SECONDS]
 * </pre>
 * Request i is planned at start + i/rate and sent then, on its own, with the JDK HttpClient's {@code sendAsync}
 * (virtual scheduling: no request waits for an earlier answer), and its latency counts from that planned time to the
 * answer's last byte, so a stall shows in every request it delayed (no coordinated omission). A send that falls
 * behind its plan is sent at once and still measured from the plan. Prints p50/p90/p95/p99/p99.9/max and the
 * requests not answered with EXPECTED_STATUS (or not answered within 30 s of the run's end).
 */
public class OpenLoop {

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: URL BEARER_TOKEN BODY_JSON PER_SECOND SECONDS EXPECTED_STATUS [WARMUP_SECONDS]");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + args[1]).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(args[2])).build();
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int expected = Integer.parseInt(args[5]);
        int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 10;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        if (warmup > 0) {
            run(client, request, rate, warmup, expected); // not counted
        }
        Result r = run(client, request, rate, seconds, expected);
        long[] sorted = r.latencies().clone();
        Arrays.sort(sorted);
        System.out.printf("open loop: %d requests/s for %d s: %d planned, sent in %.1f s (send lag max %.2f ms), %d errors%s%n",
                rate, seconds, sorted.length, r.elapsedNanos() / 1e9, r.maxSendLagNanos() / 1e6, r.errors(),
                r.firstError() == null ? "" : " (first: " + r.firstError() + ")");
        System.out.printf("latency ms from planned send: p50 %.2f  p90 %.2f  p95 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                pct(sorted, 50), pct(sorted, 90), pct(sorted, 95), pct(sorted, 99), pct(sorted, 99.9),
                sorted[sorted.length - 1] / 1e6);
        System.out.printf("RESULT p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d%n", pct(sorted, 50),
                pct(sorted, 95), pct(sorted, 99), sorted[sorted.length - 1] / 1e6, r.errors());
        System.exit(0);
    }

    record Result(long[] latencies, int errors, String firstError, long elapsedNanos, long maxSendLagNanos) {
    }

    static Result run(HttpClient client, HttpRequest request, int rate, int seconds, int expected) throws Exception {
        int total = rate * seconds;
        long[] latencies = new long[total];
        Arrays.fill(latencies, Long.MAX_VALUE); // unanswered counts as the worst
        AtomicInteger errors = new AtomicInteger();
        AtomicLong maxLag = new AtomicLong();
        String[] firstError = new String[1];
        CountDownLatch answered = new CountDownLatch(total);
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 100_000_000L;
        for (int i = 0; i < total; i++) {
            long planned = start + i * interval;
            long wait = planned - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long lag = System.nanoTime() - planned;
            if (lag > maxLag.get()) {
                maxLag.set(lag);
            }
            int index = i;
            client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
                latencies[index] = System.nanoTime() - planned;
                if (failure != null || response.statusCode() != expected) {
                    if (errors.getAndIncrement() == 0) {
                        firstError[0] = failure != null ? failure.toString()
                                : response.statusCode() + " " + new String(response.body()).lines().findFirst().orElse("");
                    }
                }
                answered.countDown();
            });
        }
        if (!answered.await(30, TimeUnit.SECONDS)) {
            errors.addAndGet((int) answered.getCount());
        }
        return new Result(latencies, errors.get(), firstError[0], System.nanoTime() - start, maxLag.get());
    }

    static double pct(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
