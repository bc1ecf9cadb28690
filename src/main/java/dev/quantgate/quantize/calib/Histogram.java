package dev.quantgate.quantize.calib;

/** A fixed-range histogram of activation values. */
public final class Histogram {

    private final double lo;
    private final double hi;
    private final long[] counts;

    public Histogram(double lo, double hi, int bins) {
        this.lo = lo;
        this.hi = hi > lo ? hi : lo + 1e-12;
        this.counts = new long[bins];
    }

    public void add(float v) {
        int b = (int) ((v - lo) / (hi - lo) * counts.length);
        counts[Math.max(0, Math.min(counts.length - 1, b))]++;
    }

    public long[] counts() {
        return counts;
    }

    public double lo() {
        return lo;
    }

    public double hi() {
        return hi;
    }

    public double binWidth() {
        return (hi - lo) / counts.length;
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** The value below which {@code percent} % of the samples fall (upper edge of that bin). */
    public double percentile(double percent) {
        long total = total();
        if (total == 0) {
            return lo;
        }
        double target = total * percent / 100.0;
        long cum = 0;
        for (int i = 0; i < counts.length; i++) {
            cum += counts[i];
            if (cum >= target) {
                return lo + (i + 1) * binWidth();
            }
        }
        return hi;
    }
}
