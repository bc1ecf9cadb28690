package dev.quantgate.quantize.math;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Float16Test {

    @ParameterizedTest(name = "{0} -> 0x{1}")
    @CsvSource({
            "1.0, 3c00", "-2.0, c000", "0.0, 0000", "-0.0, 8000", "65504.0, 7bff", "0.333333333, 3555",
            // smallest subnormal 2^-24, largest subnormal 1023 * 2^-24, smallest normal 2^-14
            "5.9604645E-8, 0001", "6.097555E-5, 03ff", "6.1035156E-5, 0400",
            // overflow to infinity; 65520 is the midpoint to 2^16 and rounds (to even) up to infinity
            "65520.0, 7c00", "1.0E10, 7c00", "-1.0E10, fc00",
            // half the smallest subnormal ties to even (0); a bit more rounds up to it
            "2.9802322E-8, 0000", "2.9802326E-8, 0001", "1.0E-10, 0000"})
    void shouldConvertToHalf(float value, String hex) {
        assertEquals(Integer.parseInt(hex, 16), Float16.fromFloat(value) & 0xffff);
    }

    @Test
    void shouldKeepInfinitiesAndNaN() {
        assertEquals(0x7c00, Float16.fromFloat(Float.POSITIVE_INFINITY) & 0xffff);
        assertEquals(0xfc00, Float16.fromFloat(Float.NEGATIVE_INFINITY) & 0xffff);
        int nan = Float16.fromFloat(Float.NaN) & 0xffff;
        assertEquals(0x7c00, nan & 0x7c00);
        assertTrue((nan & 0x03ff) != 0, "NaN keeps a non-zero mantissa");
        assertTrue(Float.isNaN(Float16.toFloat((short) nan)));
        assertEquals(Float.POSITIVE_INFINITY, Float16.toFloat((short) 0x7c00));
    }

    @Test
    void shouldRoundTripEveryHalfValue() {
        for (int h = 0; h < 0x10000; h++) {
            if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
                continue; // NaN payloads
            }
            assertEquals(h, Float16.fromFloat(Float16.toFloat((short) h)) & 0xffff, "half 0x" + Integer.toHexString(h));
        }
        assertEquals(5.9604645E-8f, Float16.toFloat((short) 1), 0f);
    }

    @Test
    void shouldRoundMantissaHalfToEven() {
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0)
        assertEquals(0x3c00, Float16.fromFloat(1f + 0x1p-11f) & 0xffff);
        // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 and 1 + 2^-9: ties to even (1 + 2^-9)
        assertEquals(0x3c02, Float16.fromFloat(1f + 3 * 0x1p-11f) & 0xffff);
    }
}
