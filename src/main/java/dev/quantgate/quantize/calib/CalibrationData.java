package dev.quantgate.quantize.calib;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.quantgate.quantize.QuantizationException;
import dev.quantgate.quantize.runtime.TensorData;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Calibration samples: for each sample, each model input by name with its dims and values. The
 * SHA-256 of the source file goes into the spec ({@code calibration_data_sha256}).
 */
public record CalibrationData(List<Map<String, Sample>> samples, String sha256) {

    /** One input of one sample. */
    public record Sample(long[] dims, double[] values) {
    }

    public int size() {
        return samples.size();
    }

    /** The samples as runtime inputs typed after the model's graph inputs. */
    public List<Map<String, TensorData>> inputsFor(ModelProto model, int limit) {
        Map<String, Integer> types = new LinkedHashMap<>();
        Set<String> initializers = new HashSet<>();
        model.getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
        for (ValueInfoProto v : model.getGraph().getInputList()) {
            if (!initializers.contains(v.getName())) {
                types.put(v.getName(), v.getType().getTensorType().getElemType());
            }
        }
        List<Map<String, TensorData>> out = new ArrayList<>();
        for (int s = 0; s < Math.min(limit, samples.size()); s++) {
            Map<String, Sample> sample = samples.get(s);
            Map<String, TensorData> inputs = new LinkedHashMap<>();
            for (String name : sample.keySet()) {
                if (!types.containsKey(name)) {
                    throw new QuantizationException("calibration sample " + (s + 1) + " names input '" + name
                            + "' which the model does not have (inputs: " + String.join(", ", types.keySet()) + ")");
                }
            }
            for (Map.Entry<String, Integer> e : types.entrySet()) {
                Sample v = sample.get(e.getKey());
                if (v == null) {
                    throw new QuantizationException("calibration sample " + (s + 1) + " lacks model input '"
                            + e.getKey() + "'");
                }
                int type = e.getValue();
                if (type == TensorProto.DataType.FLOAT_VALUE) {
                    float[] f = new float[v.values().length];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = (float) v.values()[i];
                    }
                    inputs.put(e.getKey(), TensorData.ofFloats(v.dims(), f));
                } else if (type == TensorProto.DataType.INT64_VALUE) {
                    long[] l = new long[v.values().length];
                    for (int i = 0; i < l.length; i++) {
                        l[i] = (long) v.values()[i];
                    }
                    inputs.put(e.getKey(), TensorData.ofLongs(v.dims(), l));
                } else {
                    throw new QuantizationException("model input '" + e.getKey() + "' has element type "
                            + TensorProto.DataType.forNumber(type) + "; calibration supports float and int64 inputs");
                }
            }
            out.add(inputs);
        }
        return out;
    }
}
