package dev.quantgate.policy.rules;

import java.math.BigDecimal;
import java.math.MathContext;

/** Numbers in messages: three significant digits, plain notation, the same text on every JVM and locale. */
final class Numbers {

    private Numbers() {
    }

    static String format(double d) {
        if (d == 0) {
            return "0";
        }
        return new BigDecimal(d).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** {@code " (95% CI 0.031–0.094)"}, or nothing without an interval. */
    static String interval(double[] ci) {
        return ci == null ? "" : " (95% CI " + format(ci[0]) + "–" + format(ci[1]) + ")";
    }
}
