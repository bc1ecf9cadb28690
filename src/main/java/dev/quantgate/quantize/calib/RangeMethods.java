package dev.quantgate.quantize.calib;

/**
 * How an activation's range is chosen from calibration statistics: MinMax (observed extremes),
 * Percentile (clip the tails) and Entropy (the threshold minimising the KL divergence between the
 * clipped distribution and its 8-bit quantization, on a histogram of absolute values).
 */
public final class RangeMethods {

    private static final int QUANTIZED_BINS = 128;

    private RangeMethods() {
    }

    /** Range {@code [lower, upper]} covering {@code percent} of a histogram of x on each side. */
    public static double[] percentile(Histogram h, double percent) {
        return new double[] {h.percentile(100.0 - percent), h.percentile(percent)};
    }

    /**
     * KL-optimal clipping threshold for a histogram of |x| over {@code [0, amax]}. The first bin
     * (exact and near zeros: ReLU outputs, one-hot features) is left out of the divergence: zero is
     * always representable, and counting it lets a mass of zeros pull the threshold below real values.
     */
    public static double entropyThreshold(Histogram abs) {
        long[] hist = abs.counts().clone();
        hist[0] = 0;
        int bins = hist.length;
        if (abs.total() == 0) {
            return abs.hi();
        }
        double bestKl = Double.POSITIVE_INFINITY;
        int best = bins;
        double[] p = new double[bins];
        double[] q = new double[bins];
        for (int i = QUANTIZED_BINS; i <= bins; i++) {
            long outliers = 0;
            for (int j = i; j < bins; j++) {
                outliers += hist[j];
            }
            for (int j = 0; j < i; j++) {
                p[j] = hist[j];
            }
            p[i - 1] += outliers;
            // merge hist[0, i) into 128 bins, then spread each merged count over its non-empty source bins
            double step = (double) i / QUANTIZED_BINS;
            for (int m = 0; m < QUANTIZED_BINS; m++) {
                int start = (int) Math.floor(m * step);
                int end = m == QUANTIZED_BINS - 1 ? i : (int) Math.floor((m + 1) * step);
                double sum = 0;
                int nonEmpty = 0;
                for (int j = start; j < end; j++) {
                    sum += hist[j];
                    if (hist[j] != 0) {
                        nonEmpty++;
                    }
                }
                for (int j = start; j < end; j++) {
                    q[j] = hist[j] == 0 || nonEmpty == 0 ? 0 : sum / nonEmpty;
                }
            }
            double kl = kl(p, q, i);
            if (kl < bestKl) {
                bestKl = kl;
                best = i;
            }
        }
        return best * abs.binWidth();
    }

    private static double kl(double[] p, double[] q, int n) {
        double ps = 0;
        double qs = 0;
        for (int j = 0; j < n; j++) {
            ps += p[j];
            qs += q[j];
        }
        if (ps == 0 || qs == 0) {
            return Double.POSITIVE_INFINITY;
        }
        final double eps = 1e-10;
        double kl = 0;
        for (int j = 0; j < n; j++) {
            double pj = p[j] / ps;
            double qj = q[j] / qs;
            if (pj > 0) {
                kl += pj * Math.log(pj / Math.max(qj, eps));
            }
        }
        return kl;
    }
}
