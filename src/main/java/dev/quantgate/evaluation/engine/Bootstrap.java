package dev.quantgate.evaluation.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Paired bootstrap: each iteration draws n row indices with replacement, and the source's and the variant's
 * figures are computed from the same drawn rows. Iteration i draws from its own generator, seeded from the
 * master seed, so the intervals do not depend on the number of threads.
 */
public final class Bootstrap {

    /** Per figure, the 2.5th and 97.5th percentiles (NaN where no iteration defined it). */
    public record Intervals(double[] low, double[] high, int iterations) {
    }

    private Bootstrap() {
    }

    static Intervals run(MetricsEngine engine, int rows, int figures, int iterations, long seed, int threads) {
        long[] seeds = new long[iterations];
        SplittableRandom master = new SplittableRandom(seed);
        for (int i = 0; i < iterations; i++) {
            seeds[i] = master.nextLong();
        }
        double[][] samples = new double[figures][iterations];
        int t = Math.max(1, Math.min(threads, iterations));
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int w = 0; w < t; w++) {
            int first = w;
            Thread thread = new Thread(() -> {
                try {
                    Workspace ws = engine.workspace();
                    for (int i = first; i < iterations; i += t) {
                        Arrays.fill(ws.mult, (byte) 0);
                        SplittableRandom rnd = new SplittableRandom(seeds[i]);
                        byte[] mult = ws.mult;
                        for (int k = 0; k < rows; k++) {
                            int r = rnd.nextInt(rows);
                            if (++mult[r] == Byte.MAX_VALUE) {
                                throw new IllegalStateException("a row was drawn 127 times in one resample");
                            }
                        }
                        Figures f = engine.compute(ws.mult, ws);
                        for (int j = 0; j < figures; j++) {
                            samples[j][i] = f.value(j);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bootstrap-" + w);
            workers.add(thread);
            thread.start();
        }
        for (Thread thread : workers) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bootstrap interrupted", e);
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("bootstrap failed: " + failure.get(), failure.get());
        }
        double[] low = new double[figures];
        double[] high = new double[figures];
        for (int j = 0; j < figures; j++) {
            double[] v = samples[j];
            int n = 0;
            for (double x : v) {
                if (!Double.isNaN(x)) {
                    v[n++] = x;
                }
            }
            Arrays.sort(v, 0, n);
            low[j] = percentile(v, n, 0.025);
            high[j] = percentile(v, n, 0.975);
        }
        return new Intervals(low, high, iterations);
    }

    /** Linear interpolation between closest ranks (numpy's default), over the first n sorted values. */
    static double percentile(double[] sorted, int n, double q) {
        if (n == 0) {
            return Double.NaN;
        }
        double pos = q * (n - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, n - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
