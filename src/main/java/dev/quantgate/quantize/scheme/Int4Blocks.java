package dev.quantgate.quantize.scheme;

import dev.quantgate.quantize.math.QuantMath;
import dev.quantgate.quantize.math.QuantParams;
import dev.quantgate.quantize.math.QuantRange;

/**
 * One block of 4-bit values as ONNX Runtime's n-bit operators read them: unsigned nibbles with a
 * zero point (asymmetric: from the block's range; symmetric: 8, the operators' default).
 */
final class Int4Blocks {

    record Block(float scale, int zeroPoint, int[] values) {
    }

    private static final QuantRange U4 = QuantRange.unsigned(4);

    private Int4Blocks() {
    }

    /** Quantizes {@code block[0..len)}; positions past {@code len} (padding) get the zero point. */
    static Block quantize(float[] block, int len, boolean symmetric) {
        double min = 0;
        double max = 0;
        for (int i = 0; i < len; i++) {
            min = Math.min(min, block[i]);
            max = Math.max(max, block[i]);
        }
        QuantParams p;
        if (symmetric) {
            double absMax = Math.max(-min, max);
            float scale = (float) (absMax / 7.0);
            p = scale == 0f ? new QuantParams(1f, 8) : new QuantParams(scale, 8);
        } else {
            p = QuantMath.params(min, max, U4, false);
        }
        int[] q = new int[block.length];
        for (int i = 0; i < block.length; i++) {
            q[i] = i < len ? QuantMath.quantize(block[i], p, U4) : p.zeroPoint();
        }
        return new Block(p.scale(), p.zeroPoint(), q);
    }
}
