package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.UnsafeByteOperations;
import dev.quantgate.quantize.QuantizationException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Decoding and encoding of initializers (raw little-endian data or the typed repeated fields). */
public final class Tensors {

    private Tensors() {
    }

    public static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    public static long size(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    /** Bytes per element of a fixed-size element type, or -1 (strings, unknown types). 4-bit types: -2. */
    public static int elementBytes(int dataType) {
        return switch (dataType) {
            case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.INT32_VALUE,
                 TensorProto.DataType.UINT32_VALUE -> 4;
            case TensorProto.DataType.DOUBLE_VALUE, TensorProto.DataType.INT64_VALUE,
                 TensorProto.DataType.UINT64_VALUE, TensorProto.DataType.COMPLEX64_VALUE -> 8;
            case TensorProto.DataType.COMPLEX128_VALUE -> 16;
            case TensorProto.DataType.FLOAT16_VALUE, TensorProto.DataType.BFLOAT16_VALUE,
                 TensorProto.DataType.INT16_VALUE, TensorProto.DataType.UINT16_VALUE -> 2;
            case TensorProto.DataType.INT8_VALUE, TensorProto.DataType.UINT8_VALUE,
                 TensorProto.DataType.BOOL_VALUE -> 1;
            case TensorProto.DataType.INT4_VALUE, TensorProto.DataType.UINT4_VALUE -> -2;
            default -> -1;
        };
    }

    /** The number of data bytes a tensor of this type and shape holds, or -1 when that is not fixed. */
    public static long byteSize(TensorProto t) {
        int e = elementBytes(t.getDataType());
        if (e == -1) {
            return -1;
        }
        long n = size(t);
        return e == -2 ? (n + 1) / 2 : n * e;
    }

    public static boolean isFloat(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.FLOAT_VALUE;
    }

    public static float[] floats(TensorProto t) {
        if (!isFloat(t)) {
            throw new QuantizationException("tensor " + t.getName() + " is not float32");
        }
        long n = size(t);
        if (n > Integer.MAX_VALUE) {
            throw new QuantizationException("tensor " + t.getName() + " is too large (" + n + " elements)");
        }
        float[] out = new float[(int) n];
        if (t.getRawData().size() > 0 || t.getFloatDataCount() == 0) {
            if (t.getRawData().size() != n * 4) {
                throw new QuantizationException("tensor " + t.getName() + " has " + t.getRawData().size()
                        + " bytes of data, expected " + n * 4 + " (truncated or corrupt model)");
            }
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            if (t.getFloatDataCount() != n) {
                throw new QuantizationException("tensor " + t.getName() + " has " + t.getFloatDataCount()
                        + " values, expected " + n);
            }
            for (int i = 0; i < n; i++) {
                out[i] = t.getFloatData(i);
            }
        }
        return out;
    }

    public static TensorProto ofFloats(String name, long[] dims, float[] data) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(data);
        return raw(name, TensorProto.DataType.FLOAT, dims, bb.array());
    }

    public static TensorProto ofFloat16(String name, long[] dims, short[] data) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bb.asShortBuffer().put(data);
        return raw(name, TensorProto.DataType.FLOAT16, dims, bb.array());
    }

    /** Int8 (signed) tensor from values already in [-128, 127]. */
    public static TensorProto ofInt8(String name, long[] dims, int[] data) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            b[i] = (byte) data[i];
        }
        return raw(name, TensorProto.DataType.INT8, dims, b);
    }

    /** Uint8 tensor from values in [0, 255]. */
    public static TensorProto ofUint8(String name, long[] dims, int[] data) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            b[i] = (byte) data[i];
        }
        return raw(name, TensorProto.DataType.UINT8, dims, b);
    }

    public static TensorProto ofBytes(String name, TensorProto.DataType type, long[] dims, byte[] data) {
        return raw(name, type, dims, data);
    }

    public static TensorProto ofInt64(String name, long[] dims, long[] data) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        bb.asLongBuffer().put(data);
        return raw(name, TensorProto.DataType.INT64, dims, bb.array());
    }

    private static TensorProto raw(String name, TensorProto.DataType type, long[] dims, byte[] bytes) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(UnsafeByteOperations.unsafeWrap(bytes)); // the array is ours alone: no copy
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    public static byte[] int8Bytes(TensorProto t) {
        if (t.getRawData().size() > 0) {
            return t.getRawData().toByteArray();
        }
        List<Integer> ints = t.getInt32DataList();
        byte[] b = new byte[ints.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = ints.get(i).byteValue();
        }
        return b;
    }
}
