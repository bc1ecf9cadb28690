package dev.quantgate.quantize.math;

/**
 * 4-bit packing as ONNX Runtime's {@code MatMulNBits} and {@code GatherBlockQuantized} define it:
 * two values per byte, the first (lower index) in the low nibble.
 */
public final class Int4Packing {

    private Int4Packing() {
    }

    /** Packs values in [0, 15]; an odd count leaves the last high nibble 0. */
    public static byte[] pack(int[] values) {
        byte[] out = new byte[(values.length + 1) / 2];
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (v < 0 || v > 15) {
                throw new IllegalArgumentException("value " + v + " at " + i + " is not a 4-bit unsigned value");
            }
            out[i >> 1] |= (byte) ((i & 1) == 0 ? v : v << 4);
        }
        return out;
    }

    public static int unpack(byte[] packed, int index) {
        int b = packed[index >> 1] & 0xff;
        return (index & 1) == 0 ? b & 0x0f : b >>> 4;
    }
}
