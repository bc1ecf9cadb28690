package dev.quantgate.evaluation.metrics;

import java.util.Locale;

/** Fairlearn's {@code method} argument of {@code MetricFrame.difference} and {@code ratio}. */
public enum DisparityMethod {
    BETWEEN_GROUPS,
    TO_OVERALL;

    /** The Fairlearn spelling, {@code between_groups} or {@code to_overall}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DisparityMethod parse(String s) {
        for (DisparityMethod m : values()) {
            if (m.key().equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("method must be between_groups or to_overall, not '" + s + "'");
    }
}
