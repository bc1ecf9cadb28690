package dev.quantgate.evaluation.benchmark;

import java.util.Arrays;

/** Wall-clock latency of single calls, in nanoseconds: nearest-rank percentiles of {@code samples} runs. */
public record LatencyStats(int samples, long p50, long p95, long p99, long mean, long min, long max) {

    public static LatencyStats of(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no latency samples");
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        long sum = 0;
        for (long x : s) {
            sum += x;
        }
        return new LatencyStats(s.length, rank(s, 0.50), rank(s, 0.95), rank(s, 0.99), sum / s.length, s[0], s[s.length - 1]);
    }

    /** Nearest rank: the smallest sample with at least q of the samples at or below it. */
    private static long rank(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
