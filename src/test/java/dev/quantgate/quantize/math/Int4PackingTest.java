package dev.quantgate.quantize.math;

import dev.quantgate.quantize.scheme.Int4WeightOnlyScheme;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Int4PackingTest {

    @Test
    void shouldPutTheFirstValueInTheLowNibble() {
        assertArrayEquals(new byte[] {(byte) 0x21, (byte) 0x43, (byte) 0x05}, Int4Packing.pack(new int[] {1, 2, 3, 4, 5}));
        byte[] packed = Int4Packing.pack(new int[] {15, 0, 7, 8});
        assertArrayEquals(new byte[] {(byte) 0x0f, (byte) 0x87}, packed);
        assertEquals(8, Int4Packing.unpack(packed, 3));
        assertThrows(IllegalArgumentException.class, () -> Int4Packing.pack(new int[] {16}));
    }

    @Test
    void shouldLayOutMatMulNBitsBlocksColumnMajorWithPaddedLastBlock() {
        // K = 20, N = 2, block 16: two blocks per column, the second padded with the zero point
        int k = 20;
        int n = 2;
        float[] w = new float[k * n];
        for (int row = 0; row < k; row++) {
            w[row * n] = row;          // column 0: 0..19
            w[row * n + 1] = -row;     // column 1: 0..-19
        }
        Int4WeightOnlyScheme.Packed p = Int4WeightOnlyScheme.pack(w, k, n, 16, false);
        assertEquals(2, p.kBlocks());
        assertEquals(n * 2 * 8, p.data().length);          // [N, k_blocks, block/2]
        assertEquals(n * 2, p.scales().length);            // [N * k_blocks]
        assertEquals(n * 1, p.zeroPoints().length);        // ceil(k_blocks / 2) bytes per column
        // column 0, block 0: values 0..15, range [0, 15] -> scale 1, zero point 0, q = value
        assertEquals(1.0f, p.scales()[0], 0f);
        for (int j = 0; j < 16; j++) {
            assertEquals(j, Int4Packing.unpack(p.data(), j), "column 0 block 0 value " + j);
        }
        // column 0, block 1: 16..19 -> scale 19/15, zero point 0; padding is the zero point (0)
        assertEquals((float) (19.0 / 15), p.scales()[1], 0f);
        assertEquals(Math.rint(16 / (double) (float) (19.0 / 15)), Int4Packing.unpack(p.data(), 16), 0);
        assertEquals(15, Int4Packing.unpack(p.data(), 19));
        assertEquals(0, Int4Packing.unpack(p.data(), 20));
        // column 1, block 0: 0..-15 -> scale 1, zero point 15, q = 15 - row
        assertEquals(1.0f, p.scales()[2], 0f);
        assertEquals(15, Int4Packing.unpack(p.data(), 32));
        assertEquals(0, Int4Packing.unpack(p.data(), 32 + 15));
        // zero points: column 0 (block 0 = 0, block 1 = 0), column 1 (block 0 = 15 low nibble, block 1 = 15 high)
        assertEquals(0x00, p.zeroPoints()[0] & 0xff);
        assertEquals(0xff, p.zeroPoints()[1] & 0xff);
    }
}
