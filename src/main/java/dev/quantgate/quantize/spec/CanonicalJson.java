package dev.quantgate.quantize.spec;

import dev.quantgate.kernel.json.Jcs;

import java.math.BigDecimal;

/**
 * Canonical JSON for specs: RFC 8785 (keys sorted, no whitespace, ECMAScript numbers: {@code 32},
 * {@code 99.99}), and {@link #number} for numbers in messages.
 */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    /** RFC 8785 canonical JSON ({@link Jcs}), the one form of everything QuantGate hashes. */
    public static String write(Object value) {
        return Jcs.write(value);
    }

    public static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("not a finite number: " + d);
        }
        if (d == 0) {
            return "0";
        }
        return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    }

}
