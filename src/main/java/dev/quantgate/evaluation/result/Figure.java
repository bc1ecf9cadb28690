package dev.quantgate.evaluation.result;

/**
 * One figure: its point estimate (NaN where undefined, e.g. a true-positive rate without positives) and its 95%
 * interval (null when the bootstrap was off or no resample defined it).
 */
public record Figure(double value, Interval interval) {

    public boolean defined() {
        return !Double.isNaN(value) && !Double.isInfinite(value);
    }
}
