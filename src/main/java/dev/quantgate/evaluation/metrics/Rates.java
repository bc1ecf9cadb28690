package dev.quantgate.evaluation.metrics;

/**
 * Rates of one group (or all rows) from weighted binary confusion counts; positive label = 1. A rate whose
 * denominator is zero is NaN (reported as null), never 0.
 */
public record Rates(double tn, double fp, double fn, double tp) {

    public double total() {
        return tn + fp + fn + tp;
    }

    public double selectionRate() {
        return div(tp + fp, total());
    }

    public double accuracy() {
        return div(tp + tn, total());
    }

    public double errorRate() {
        return div(fp + fn, total());
    }

    public double truePositiveRate() {
        return div(tp, tp + fn);
    }

    public double falsePositiveRate() {
        return div(fp, fp + tn);
    }

    public double trueNegativeRate() {
        return div(tn, fp + tn);
    }

    public double falseNegativeRate() {
        return div(fn, tp + fn);
    }

    public double precision() {
        return div(tp, tp + fp);
    }

    public double recall() {
        return truePositiveRate();
    }

    public double f1() {
        return div(2 * tp, 2 * tp + fp + fn);
    }

    public double balancedAccuracy() {
        return (truePositiveRate() + trueNegativeRate()) / 2;
    }

    /** Rates of the union of two disjoint sets of rows. */
    public Rates plus(Rates o) {
        return new Rates(tn + o.tn, fp + o.fp, fn + o.fn, tp + o.tp);
    }

    /** Counts rows (weight 1 each) from labels and predictions, both 0 or 1. */
    public static Rates count(int[] yTrue, int[] yPred) {
        double[] c = new double[4];
        for (int i = 0; i < yTrue.length; i++) {
            c[yTrue[i] * 2 + yPred[i]]++;
        }
        return new Rates(c[0], c[1], c[2], c[3]);
    }

    static double div(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }
}
