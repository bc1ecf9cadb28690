package dev.quantgate.evaluation.metrics;

/**
 * Metrics of a K-class weighted confusion matrix {@code c[true * K + predicted]}, macro-averaged as
 * scikit-learn does: over the classes present in the labels or the predictions, an undefined per-class
 * precision or recall counting as 0.
 */
public final class ClassConfusion {

    private ClassConfusion() {
    }

    public static double total(double[] c, int off, int k) {
        double t = 0;
        for (int i = 0; i < k * k; i++) {
            t += c[off + i];
        }
        return t;
    }

    public static double accuracy(double[] c, int off, int k) {
        double hit = 0;
        for (int i = 0; i < k; i++) {
            hit += c[off + i * k + i];
        }
        return Rates.div(hit, total(c, off, k));
    }

    /** Mean recall over the classes present in the labels (scikit-learn's balanced_accuracy_score). */
    public static double balancedAccuracy(double[] c, int off, int k) {
        double sum = 0;
        int n = 0;
        for (int t = 0; t < k; t++) {
            double row = 0;
            for (int p = 0; p < k; p++) {
                row += c[off + t * k + p];
            }
            if (row > 0) {
                sum += c[off + t * k + t] / row;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** 0 = precision, 1 = recall, 2 = F1; macro average. */
    public static double macro(double[] c, int off, int k, int which) {
        double sum = 0;
        int n = 0;
        for (int j = 0; j < k; j++) {
            double row = 0;
            double col = 0;
            for (int i = 0; i < k; i++) {
                row += c[off + j * k + i];
                col += c[off + i * k + j];
            }
            if (row == 0 && col == 0) {
                continue;
            }
            double tp = c[off + j * k + j];
            double precision = col == 0 ? 0 : tp / col;
            double recall = row == 0 ? 0 : tp / row;
            double f1 = row + col == 0 ? 0 : 2 * tp / (row + col);
            sum += which == 0 ? precision : which == 1 ? recall : f1;
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
