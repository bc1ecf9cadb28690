package dev.quantgate.quantize.math;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class QuantMathTest {

    @Test
    void shouldComputeSymmetricInt8ScaleFromAbsMax() {
        // absmax 2.54 over [-127, 127]: scale = 5.08 / 254 = 0.02, zero point 0
        QuantParams p = QuantMath.params(-1.0, 2.54, QuantRange.int8(true, false), true);
        assertEquals(0.02f, p.scale(), 0f);
        assertEquals(0, p.zeroPoint());
    }

    @Test
    void shouldComputeAsymmetricUint8ScaleAndZeroPoint() {
        // [-1, 2.5] over [0, 255]: scale = 3.5 / 255, zero point = rint(0 + 1 / scale) = rint(72.857) = 73
        QuantParams p = QuantMath.params(-1.0, 2.5, QuantRange.uint8(false), false);
        assertEquals((float) (3.5 / 255), p.scale(), 0f);
        assertEquals(73, p.zeroPoint());
    }

    @Test
    void shouldIncludeZeroInTheRange() {
        // [1, 3] becomes [0, 3]: scale 3/255, zero point 0
        QuantParams p = QuantMath.params(1.0, 3.0, QuantRange.uint8(false), false);
        assertEquals((float) (3.0 / 255), p.scale(), 0f);
        assertEquals(0, p.zeroPoint());
    }

    @Test
    void shouldHalveTheRangeWithReduceRange() {
        assertEquals(new QuantRange(-64, 63), QuantRange.int8(false, true));
        assertEquals(new QuantRange(-63, 63), QuantRange.int8(true, true));
        assertEquals(new QuantRange(0, 127), QuantRange.uint8(true));
        // symmetric reduce_range: absmax 1.26 over [-63, 63] -> scale 0.02
        QuantParams p = QuantMath.params(-1.26, 0.5, QuantRange.int8(true, true), true);
        assertEquals((float) (2.52 / 126), p.scale(), 0f);
        // asymmetric int8 reduce_range: [-1, 1.54] over [-64, 63]: scale 2.54/127 = 0.02, zp = rint(-64 + 50) = -14
        QuantParams a = QuantMath.params(-1.0, 1.54, QuantRange.int8(false, true), false);
        assertEquals((float) (2.54 / 127), a.scale(), 0f);
        assertEquals(-14, a.zeroPoint());
    }

    @ParameterizedTest(name = "{0} / 1.0 -> {1}")
    @CsvSource({"0.5, 0", "1.5, 2", "2.5, 2", "-0.5, 0", "-1.5, -2", "-2.5, -2", "3.49, 3", "3.51, 4"})
    void shouldRoundHalfToEven(float x, int expected) {
        assertEquals(expected, QuantMath.quantize(x, new QuantParams(1.0f, 0), QuantRange.int8(false, false)));
    }

    @Test
    void shouldSaturateToTheRange() {
        QuantParams p = new QuantParams(0.1f, 0);
        assertEquals(127, QuantMath.quantize(100f, p, QuantRange.int8(false, false)));
        assertEquals(-128, QuantMath.quantize(-100f, p, QuantRange.int8(false, false)));
        assertEquals(-127, QuantMath.quantize(-100f, p, QuantRange.int8(true, false)));
        assertEquals(255, QuantMath.quantize(1e30f, new QuantParams(0.1f, 10), QuantRange.uint8(false)));
        assertEquals(0, QuantMath.quantize(-5f, new QuantParams(0.1f, 10), QuantRange.uint8(false)));
    }

    @Test
    void shouldUseScaleOneForAllZeroTensor() {
        QuantParams p = QuantMath.params(0, 0, QuantRange.int8(true, false), true);
        assertEquals(1.0f, p.scale(), 0f);
        assertEquals(0, p.zeroPoint());
    }

    @Test
    void shouldComputePerChannelParamsAlongEitherAxis() {
        // 2 x 3 row-major: rows [1, -2, 0.5], [4, 0, -1]
        float[] w = {1, -2, 0.5f, 4, 0, -1};
        long[] dims = {2, 3};
        QuantRange r = QuantRange.int8(true, false);
        QuantParams[] cols = QuantMath.perChannel(w, dims, 1, r, true);
        assertEquals(3, cols.length);
        assertEquals((float) (8.0 / 254), cols[0].scale(), 0f); // column 0: absmax 4
        assertEquals((float) (4.0 / 254), cols[1].scale(), 0f); // column 1: absmax 2
        assertEquals((float) (2.0 / 254), cols[2].scale(), 0f); // column 2: absmax 1
        QuantParams[] rows = QuantMath.perChannel(w, dims, 0, r, true);
        assertEquals((float) (4.0 / 254), rows[0].scale(), 0f);
        assertEquals((float) (8.0 / 254), rows[1].scale(), 0f);
        int[] q = QuantMath.quantize(w, dims, 1, cols, r);
        // 4 / (8/254) = 127; -2 / (4/254) = -127; 0.5 / (2/254) = 63.5 -> 64 (half to even); 1 / (8/254) = 31.75 -> 32
        assertArrayEquals(new int[] {32, -127, 64, 127, 0, -127}, q);
    }
}
