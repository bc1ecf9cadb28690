package dev.quantgate.quantize.runtime;

import java.util.Arrays;

/** A dense tensor passed to or returned from a runtime: float32 or int64 values, row-major. */
public record TensorData(long[] dims, float[] floats, long[] longs) {

    public static TensorData ofFloats(long[] dims, float[] data) {
        return new TensorData(dims, data, null);
    }

    public static TensorData ofLongs(long[] dims, long[] data) {
        return new TensorData(dims, null, data);
    }

    public boolean isFloat() {
        return floats != null;
    }

    public int size() {
        return isFloat() ? floats.length : longs.length;
    }

    @Override
    public String toString() {
        return (isFloat() ? "float" : "int64") + Arrays.toString(dims);
    }
}
