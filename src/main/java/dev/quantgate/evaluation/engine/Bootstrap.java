package dev.quantgate.evaluation.engine;

import org.apache.commons.statistics.distribution.NormalDistribution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Paired bootstrap: each iteration draws n row indices with replacement, and the source's and the variant's
 * figures are computed from the same drawn rows. Iteration i draws from its own generator, seeded from the
 * master seed, so the intervals do not depend on the number of threads.
 *
 * <p>Intervals are BCa by default: the percentile interval is biased for max/min-type statistics (a maximum over
 * groups is pushed upward by noise), and BCa corrects the percentiles by the resamples' median bias {@code z0} and
 * an acceleration {@code a} estimated by a delete-block jackknife ({@value #JACKKNIFE_BLOCKS} blocks, row r in
 * block r mod G; the block influences give the same acceleration estimate as single-row deletion, at a fixed cost).
 * Where {@code z0} is undefined (every resample on one side of the estimate) the percentile interval is used.
 */
public final class Bootstrap {

    /** Delete-block jackknife replicates for the BCa acceleration (every row its own block below this many rows). */
    public static final int JACKKNIFE_BLOCKS = 100;
    private static final NormalDistribution NORMAL = NormalDistribution.of(0, 1);
    private static final double ALPHA = 0.025;

    /** Per figure, the interval's ends (NaN where no iteration defined it). */
    public record Intervals(double[] low, double[] high, int iterations, IntervalMethod method) {
    }

    private Bootstrap() {
    }

    /** One replicate: fills {@code mult} (all zero on entry) for replicate {@code i}. */
    private interface Draw {
        void fill(int i, byte[] mult);
    }

    static Intervals run(MetricsEngine engine, Figures figuresWithKeys, int rows, int iterations, long seed, int threads,
                         IntervalMethod method) {
        double[] point = figuresWithKeys.values();
        long[] seeds = new long[iterations];
        SplittableRandom master = new SplittableRandom(seed);
        for (int i = 0; i < iterations; i++) {
            seeds[i] = master.nextLong();
        }
        int figures = point.length;
        double[][] samples = replicate(engine, figures, iterations, threads, (i, mult) -> {
            SplittableRandom rnd = new SplittableRandom(seeds[i]);
            for (int k = 0; k < rows; k++) {
                int r = rnd.nextInt(rows);
                if (++mult[r] == Byte.MAX_VALUE) {
                    throw new IllegalStateException("a row was drawn 127 times in one resample");
                }
            }
        });
        double[][] jack = null;
        if (method == IntervalMethod.BCA || method == IntervalMethod.AUTO) {
            int blocks = Math.min(rows, JACKKNIFE_BLOCKS);
            jack = replicate(engine, figures, blocks, threads, (b, mult) -> {
                Arrays.fill(mult, (byte) 1);
                for (int r = b; r < rows; r += blocks) {
                    mult[r] = 0;
                }
            });
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
            IntervalMethod m = method == IntervalMethod.AUTO ? auto(figuresWithKeys.key(j)) : method;
            double[] q = m == IntervalMethod.BCA ? bcaLevels(v, n, point[j], jack[j]) : new double[]{ALPHA, 1 - ALPHA};
            if (m == IntervalMethod.BASIC) {
                low[j] = 2 * point[j] - percentile(v, n, 1 - ALPHA);
                high[j] = 2 * point[j] - percentile(v, n, ALPHA);
            } else {
                low[j] = percentile(v, n, q[0]);
                high[j] = percentile(v, n, q[1]);
            }
        }
        return new Intervals(low, high, iterations, method);
    }

    /** AUTO's choice for one figure: BCa for flip rates, percentile otherwise (see {@link IntervalMethod#AUTO}). */
    static IntervalMethod auto(FigureKey key) {
        return key.part() == FigureKey.Part.FLIPS ? IntervalMethod.BCA : IntervalMethod.PERCENTILE;
    }

    /**
     * The BCa percentile levels for the 95% interval, from the sorted finite resamples {@code sorted[0..n)}, the
     * estimate and the jackknife replicates; the percentile levels where the correction is undefined.
     */
    static double[] bcaLevels(double[] sorted, int n, double estimate, double[] jackknife) {
        double[] plain = {ALPHA, 1 - ALPHA};
        if (n == 0 || Double.isNaN(estimate)) {
            return plain;
        }
        // resamples within rounding noise of the estimate count as ties (a difference of equal rates is ~1e-17)
        double tol = 1e-12 * Math.max(1, Math.abs(estimate));
        int below = lowerBound(sorted, n, estimate - tol);
        int equal = lowerBound(sorted, n, Math.nextUp(estimate + tol)) - below;
        double p = (below + 0.5 * equal) / n;
        if (p <= 0 || p >= 1) {
            return plain;
        }
        double z0 = NORMAL.inverseCumulativeProbability(p);
        double a = acceleration(jackknife);
        double zl = NORMAL.inverseCumulativeProbability(ALPHA);
        double zh = -zl;
        double lo = NORMAL.cumulativeProbability(z0 + (z0 + zl) / (1 - a * (z0 + zl)));
        double hi = NORMAL.cumulativeProbability(z0 + (z0 + zh) / (1 - a * (z0 + zh)));
        if (Double.isNaN(lo) || Double.isNaN(hi) || lo >= hi) {
            return plain;
        }
        return new double[]{lo, hi};
    }

    /** Efron's acceleration from jackknife replicates: sum of cubed influences over 6 (sum of squares)^1.5. */
    static double acceleration(double[] jackknife) {
        double sum = 0;
        int m = 0;
        for (double x : jackknife) {
            if (!Double.isNaN(x)) {
                sum += x;
                m++;
            }
        }
        if (m < 2) {
            return 0;
        }
        double mean = sum / m;
        double s2 = 0;
        double s3 = 0;
        for (double x : jackknife) {
            if (!Double.isNaN(x)) {
                double u = mean - x;
                s2 += u * u;
                s3 += u * u * u;
            }
        }
        return s2 == 0 ? 0 : s3 / (6 * Math.pow(s2, 1.5));
    }

    /** Index of the first of {@code sorted[0..n)} not below {@code x}. */
    private static int lowerBound(double[] sorted, int n, double x) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Computes {@code count} replicates on {@code threads} threads; answers per figure its replicate values. */
    private static double[][] replicate(MetricsEngine engine, int figures, int count, int threads, Draw draw) {
        double[][] samples = new double[figures][count];
        int t = Math.max(1, Math.min(threads, count));
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int w = 0; w < t; w++) {
            int first = w;
            Thread thread = new Thread(() -> {
                try {
                    Workspace ws = engine.workspace();
                    for (int i = first; i < count; i += t) {
                        Arrays.fill(ws.mult, (byte) 0);
                        draw.fill(i, ws.mult);
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
        return samples;
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
