package dev.quantgate.evaluation.engine;

import java.util.Locale;

/** How a 95% interval is read from the paired bootstrap's resamples. */
public enum IntervalMethod {
    /**
     * The default: BCa for each model's own figures, flip rates and fidelity; percentile for variant − source
     * differences (delta, accuracy drop). Chosen by the coverage simulation (README, "Intervals"): BCa under-covers
     * differences of max/min-type statistics there, the percentile interval does not.
     */
    AUTO,
    /** Bias-corrected and accelerated (Efron 1987): bias from the resamples, acceleration from a delete-block jackknife. */
    BCA,
    /** The 2.5th and 97.5th percentiles of the resamples. */
    PERCENTILE,
    /** The basic (reverse-percentile) interval: the estimate minus the resamples' spread around it, both ends mirrored. */
    BASIC;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static IntervalMethod parse(String s) {
        for (IntervalMethod m : values()) {
            if (m.key().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("interval method must be auto, bca, percentile or basic, not '" + s + "'");
    }
}
