package dev.quantgate.evaluation.report;

import java.math.BigDecimal;

/**
 * The one number format of reports: the shortest decimal that reads back as the same double, written plainly
 * (no exponent, no trailing fractional zeros, {@code 5.0} as {@code 5}, {@code -0} as {@code 0}). NaN and
 * infinities have no JSON form; the writer turns them into {@code null}.
 */
public final class Numbers {

    private Numbers() {
    }

    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        if (v == 0) {
            return "0";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        return d.toPlainString();
    }
}
