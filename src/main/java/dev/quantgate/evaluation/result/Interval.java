package dev.quantgate.evaluation.result;

/** A 95% bootstrap interval. */
public record Interval(double low, double high) {

    /** The interval, or null when either end is undefined (NaN). */
    public static Interval of(double low, double high) {
        return Double.isNaN(low) || Double.isNaN(high) ? null : new Interval(low, high);
    }
}
