package dev.quantgate.evaluation.metrics;

/**
 * Fairlearn's {@code MetricFrame.difference()} and {@code ratio()} over per-group values. Groups whose value is
 * NaN (undefined, e.g. no positives) are skipped, as pandas' min/max skip them; with no defined group the result
 * is NaN.
 */
public final class Disparity {

    private Disparity() {
    }

    /** between_groups: max − min; to_overall: max |m(g) − m(all)|. */
    public static double difference(double[] groups, double overall, DisparityMethod method) {
        if (method == DisparityMethod.BETWEEN_GROUPS) {
            double max = max(groups);
            double min = min(groups);
            return max - min;
        }
        double worst = Double.NaN;
        for (double g : groups) {
            if (!Double.isNaN(g)) {
                double d = Math.abs(g - overall);
                worst = Double.isNaN(worst) ? d : Math.max(worst, d);
            }
        }
        return worst;
    }

    /** between_groups: min / max; to_overall: min over groups of r = m(g)/m(all), with 1/r where r > 1. */
    public static double ratio(double[] groups, double overall, DisparityMethod method) {
        if (method == DisparityMethod.BETWEEN_GROUPS) {
            double max = max(groups);
            double min = min(groups);
            return max == 0 ? Double.NaN : min / max;
        }
        double worst = Double.NaN;
        for (double g : groups) {
            if (!Double.isNaN(g)) {
                double r = g / overall;
                if (r > 1) {
                    r = 1 / r;
                }
                worst = Double.isNaN(worst) ? r : Math.min(worst, r);
            }
        }
        return worst;
    }

    private static double max(double[] v) {
        double m = Double.NaN;
        for (double x : v) {
            if (!Double.isNaN(x) && (Double.isNaN(m) || x > m)) {
                m = x;
            }
        }
        return m;
    }

    private static double min(double[] v) {
        double m = Double.NaN;
        for (double x : v) {
            if (!Double.isNaN(x) && (Double.isNaN(m) || x < m)) {
                m = x;
            }
        }
        return m;
    }
}
