package dev.quantgate.quantize.calib;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.quantgate.quantize.QuantizationException;
import dev.quantgate.quantize.runtime.ModelRuntime;
import dev.quantgate.quantize.runtime.TensorData;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the float model on the calibration samples with the wanted activations exposed as extra
 * outputs, and turns what it sees into a range per activation with the chosen method.
 */
public final class ActivationRanges {

    private final ModelRuntime runtime;

    public ActivationRanges(ModelRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * @param method {@code minmax}, {@code percentile} or {@code entropy}
     * @return {@code [min, max]} per tensor name
     */
    public Map<String, double[]> compute(ModelProto model, Collection<String> tensors, CalibrationData data,
                                         String method, double percentile, int bins, boolean symmetric) {
        ModelProto augmented = exposing(model, tensors);
        List<Map<String, TensorData>> inputs = data.inputsFor(model, Integer.MAX_VALUE);
        Map<String, double[]> minMax = new LinkedHashMap<>();
        try (ModelRuntime.Session session = runtime.openForInspection(augmented)) {
            for (Map<String, TensorData> in : inputs) {
                Map<String, TensorData> out = session.run(in);
                for (String t : tensors) {
                    TensorData v = out.get(t);
                    if (v == null || !v.isFloat()) {
                        throw new QuantizationException("calibration could not observe activation '" + t + "'");
                    }
                    double[] mm = minMax.computeIfAbsent(t, k -> new double[] {Double.POSITIVE_INFINITY,
                            Double.NEGATIVE_INFINITY});
                    for (float f : v.floats()) {
                        mm[0] = Math.min(mm[0], f);
                        mm[1] = Math.max(mm[1], f);
                    }
                }
            }
            if (method.equals("minmax")) {
                return minMax;
            }
            Map<String, Histogram> hists = new LinkedHashMap<>();
            for (String t : tensors) {
                double[] mm = minMax.get(t);
                double amax = Math.max(Math.abs(mm[0]), Math.abs(mm[1]));
                hists.put(t, method.equals("entropy") ? new Histogram(0, amax, bins) : new Histogram(mm[0], mm[1], bins));
            }
            for (Map<String, TensorData> in : inputs) {
                Map<String, TensorData> out = session.run(in);
                for (String t : tensors) {
                    Histogram h = hists.get(t);
                    boolean abs = method.equals("entropy");
                    for (float f : out.get(t).floats()) {
                        h.add(abs ? Math.abs(f) : f);
                    }
                }
            }
            Map<String, double[]> ranges = new LinkedHashMap<>();
            for (String t : tensors) {
                double[] mm = minMax.get(t);
                Histogram h = hists.get(t);
                if (method.equals("percentile")) {
                    double[] r = RangeMethods.percentile(h, percentile);
                    ranges.put(t, new double[] {Math.max(r[0], mm[0]), Math.min(r[1], mm[1])});
                } else {
                    double th = RangeMethods.entropyThreshold(h);
                    ranges.put(t, symmetric ? new double[] {-th, th}
                            : new double[] {Math.max(mm[0], -th), Math.min(mm[1], th)});
                }
            }
            return ranges;
        }
    }

    /**
     * Largest absolute value of each channel (last axis) of each tensor over the given inputs.
     */
    public Map<String, float[]> channelAbsMax(ModelProto model, Collection<String> tensors,
                                              List<Map<String, TensorData>> inputs) {
        ModelProto augmented = exposing(model, tensors);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (ModelRuntime.Session session = runtime.openForInspection(augmented)) {
            for (Map<String, TensorData> in : inputs) {
                Map<String, TensorData> res = session.run(in);
                for (String t : tensors) {
                    TensorData v = res.get(t);
                    if (v == null || !v.isFloat() || v.dims().length == 0) {
                        throw new QuantizationException("could not observe activation '" + t + "'");
                    }
                    int channels = (int) v.dims()[v.dims().length - 1];
                    float[] m = out.computeIfAbsent(t, k -> new float[channels]);
                    float[] f = v.floats();
                    for (int i = 0; i < f.length; i++) {
                        int c = i % channels;
                        m[c] = Math.max(m[c], Math.abs(f[i]));
                    }
                }
            }
        }
        return out;
    }

    /** The model with the given tensors added as float graph outputs. */
    public static ModelProto exposing(ModelProto model, Collection<String> tensors) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> outputs = new HashSet<>();
        g.getOutputList().forEach(o -> outputs.add(o.getName()));
        for (String t : tensors) {
            if (outputs.add(t)) {
                g.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        return model.toBuilder().setGraph(g).build();
    }
}
