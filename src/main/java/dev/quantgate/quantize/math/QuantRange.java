package dev.quantgate.quantize.math;

/**
 * An integer range for quantized values. {@code reduce_range} keeps 7 bits (for u8s8 kernels on
 * CPUs without VNNI, whose 16-bit intermediate sums can saturate); symmetric signed ranges drop
 * the most negative value so that zero sits in the middle ({@code [-127, 127]}).
 */
public record QuantRange(int qmin, int qmax) {

    public QuantRange {
        if (qmin >= qmax) {
            throw new IllegalArgumentException("empty range [" + qmin + ", " + qmax + "]");
        }
    }

    public static QuantRange int8(boolean symmetric, boolean reduceRange) {
        if (reduceRange) {
            return symmetric ? new QuantRange(-63, 63) : new QuantRange(-64, 63);
        }
        return symmetric ? new QuantRange(-127, 127) : new QuantRange(-128, 127);
    }

    public static QuantRange uint8(boolean reduceRange) {
        return reduceRange ? new QuantRange(0, 127) : new QuantRange(0, 255);
    }

    /** Unsigned n-bit range, e.g. {@code [0, 15]} for 4 bits. */
    public static QuantRange unsigned(int bits) {
        return new QuantRange(0, (1 << bits) - 1);
    }

    public int clamp(long q) {
        return (int) Math.max(qmin, Math.min(qmax, q));
    }
}
