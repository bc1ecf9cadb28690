package dev.quantgate.quantize.calib;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.quantgate.quantize.runtime.TensorData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Deterministic synthetic inputs for data-free statistics when no calibration data is given:
 * integer inputs that index an embedding table get uniform ids within the table, other integer
 * inputs ones (masks), float inputs standard normal values. A symbolic batch dimension is 1,
 * other symbolic dimensions {@value #SYMBOLIC_LENGTH}.
 */
public final class ProbeInputs {

    static final int SYMBOLIC_LENGTH = 48;

    private ProbeInputs() {
    }

    public static List<Map<String, TensorData>> synthesize(ModelProto model, int count, long seed) {
        GraphProto g = model.getGraph();
        Set<String> initializers = new HashSet<>();
        Map<String, Long> tableRows = new HashMap<>();
        Map<String, TensorProto> inits = new HashMap<>();
        g.getInitializerList().forEach(t -> {
            initializers.add(t.getName());
            inits.put(t.getName(), t);
        });
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Gather") && n.getInputCount() > 1 && inits.containsKey(n.getInput(0))) {
                TensorProto t = inits.get(n.getInput(0));
                if (t.getDimsCount() > 0) {
                    tableRows.merge(n.getInput(1), t.getDims(0), Math::min);
                }
            }
        }
        Random random = new Random(seed);
        List<Map<String, TensorData>> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            Map<String, TensorData> sample = new LinkedHashMap<>();
            for (ValueInfoProto v : g.getInputList()) {
                if (initializers.contains(v.getName())) {
                    continue;
                }
                long[] dims = dims(v.getType().getTensorType().getShape());
                int size = 1;
                for (long d : dims) {
                    size *= (int) d;
                }
                int type = v.getType().getTensorType().getElemType();
                if (type == TensorProto.DataType.FLOAT_VALUE) {
                    float[] f = new float[size];
                    for (int i = 0; i < size; i++) {
                        f[i] = (float) random.nextGaussian();
                    }
                    sample.put(v.getName(), TensorData.ofFloats(dims, f));
                } else {
                    long[] l = new long[size];
                    Long rows = tableRows.get(v.getName());
                    for (int i = 0; i < size; i++) {
                        l[i] = rows == null ? 1 : (long) random.nextInt((int) Math.min(rows, Integer.MAX_VALUE));
                    }
                    sample.put(v.getName(), TensorData.ofLongs(dims, l));
                }
            }
            out.add(sample);
        }
        return out;
    }

    private static long[] dims(TensorShapeProto shape) {
        long[] dims = new long[shape.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension d = shape.getDim(i);
            dims[i] = d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : (i == 0 ? 1 : SYMBOLIC_LENGTH);
        }
        return dims;
    }
}
