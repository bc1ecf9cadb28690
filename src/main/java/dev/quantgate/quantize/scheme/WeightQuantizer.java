package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.math.Float16;
import dev.quantgate.quantize.math.QuantMath;
import dev.quantgate.quantize.math.QuantParams;
import dev.quantgate.quantize.math.QuantRange;
import dev.quantgate.quantize.onnx.MutableGraph;
import dev.quantgate.quantize.onnx.Nodes;
import dev.quantgate.quantize.onnx.Tensors;

import java.util.ArrayList;
import java.util.List;

/** Writes a float weight as an int8 initializer plus its scale and zero-point initializers. */
final class WeightQuantizer {

    /**
     * Names of the initializers (zero point {@code null} when omitted), and any nodes that must run
     * before they are used ({@code Cast} of float16-stored scales, folded by the runtime at load).
     */
    record QuantizedWeight(String data, String scale, String zeroPoint, List<NodeProto> prelude) {
    }

    private WeightQuantizer() {
    }

    static QuantizedWeight int8(MutableGraph graph, TensorProto w, int axis, boolean symmetric, boolean reduceRange) {
        return int8(graph, w.getName(), Tensors.floats(w), Tensors.dims(w), axis, symmetric, reduceRange, false);
    }

    /**
     * @param axis channel axis for per-channel params, or -1 for one scale per tensor
     * @param compact store per-channel scales as float16 behind a {@code Cast} and omit an all-zero
     *                zero point (symmetric); the weights are quantized with the float16-rounded scales
     */
    static QuantizedWeight int8(MutableGraph graph, String base, float[] data, long[] dims, int axis,
                                boolean symmetric, boolean reduceRange, boolean compact) {
        QuantRange range = QuantRange.int8(symmetric, reduceRange);
        QuantParams[] params = axis < 0
                ? new QuantParams[] {QuantMath.perTensor(data, range, symmetric)}
                : QuantMath.perChannel(data, dims, axis, range, symmetric);
        boolean halfScales = compact && axis >= 0;
        if (halfScales) {
            for (int i = 0; i < params.length; i++) {
                params[i] = new QuantParams(roundToHalf(params[i].scale()), params[i].zeroPoint());
            }
        }
        byte[] q = QuantMath.quantizeBytes(data, dims, Math.max(axis, 0), params, range);
        String dataName = graph.unique(base + "_quantized");
        graph.putInitializer(Tensors.ofBytes(dataName, TensorProto.DataType.INT8, dims, q));
        float[] scales = new float[params.length];
        int[] zps = new int[params.length];
        boolean allZero = true;
        for (int i = 0; i < params.length; i++) {
            scales[i] = params[i].scale();
            zps[i] = params[i].zeroPoint();
            allZero &= zps[i] == 0;
        }
        long[] pdims = axis < 0 ? new long[0] : new long[] {params.length};
        List<NodeProto> prelude = new ArrayList<>();
        String scaleName = graph.unique(base + "_scale");
        if (halfScales) {
            String half = graph.unique(base + "_scale_fp16");
            graph.putInitializer(Tensors.ofFloat16(half, pdims, toHalf(scales)));
            prelude.add(Nodes.node("Cast", graph.unique(scaleName + "_Cast"), List.of(half), List.of(scaleName))
                    .addAttribute(Nodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)).build());
        } else {
            graph.putInitializer(Tensors.ofFloats(scaleName, pdims, scales));
        }
        String zpName = null;
        if (!(compact && allZero)) {
            zpName = graph.unique(base + "_zero_point");
            graph.putInitializer(Tensors.ofInt8(zpName, pdims, zps));
        }
        return new QuantizedWeight(dataName, scaleName, zpName, prelude);
    }

    static float roundToHalf(float f) {
        return Float16.toFloat(Float16.fromFloat(f));
    }

    static short[] toHalf(float[] f) {
        short[] h = new short[f.length];
        for (int i = 0; i < f.length; i++) {
            h[i] = Float16.fromFloat(f[i]);
        }
        return h;
    }
}
