package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.quantgate.quantize.QuantizationException;
import dev.quantgate.quantize.calib.ActivationRanges;
import dev.quantgate.quantize.calib.CalibrationData;
import dev.quantgate.quantize.math.QuantMath;
import dev.quantgate.quantize.math.QuantParams;
import dev.quantgate.quantize.math.QuantRange;
import dev.quantgate.quantize.onnx.MutableGraph;
import dev.quantgate.quantize.onnx.Nodes;
import dev.quantgate.quantize.onnx.Tensors;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * INT8 static quantization in QDQ form, S8S8: each quantized node's activation input goes through
 * {@code QuantizeLinear -> DequantizeLinear} with an int8 scale and zero point from calibration, and
 * its weight is stored int8 (per output channel by default) behind a {@code DequantizeLinear}.
 * ONNX Runtime fuses these into integer kernels on CPU; its GPU path supports exactly this format.
 */
public final class Int8StaticScheme implements QuantizationScheme {

    @Override
    public List<String> candidates(ModelProto model, QuantizationSpec spec, SchemeContext context) {
        return new ArrayList<>(new WeightCandidates(new MutableGraph(model), spec).selected.keySet());
    }

    @Override
    public SchemeResult apply(ModelProto model, QuantizationSpec spec, SchemeContext context) {
        CalibrationData data = context.calibration().orElseThrow(() ->
                new QuantizationException("int8-static needs calibration data (--calibration data.jsonl)"));
        MutableGraph graph = new MutableGraph(model);
        boolean perChannel = spec.bool("per_channel");
        if (perChannel && graph.opset("") < 13) {
            throw new QuantizationException("per-channel QDQ needs opset 13 or later (DequantizeLinear axis); the model"
                    + " uses opset " + graph.opset("") + ": set per_channel to false");
        }
        WeightCandidates candidates = new WeightCandidates(graph, spec);
        Set<String> activations = new LinkedHashSet<>();
        candidates.selected.values().forEach(c -> activations.add(c.node().getInput(0)));
        if (activations.isEmpty()) {
            return new SchemeResult(model, List.of(), candidates.kept);
        }
        boolean actSymmetric = spec.bool("activation_symmetric");
        Map<String, double[]> ranges = new ActivationRanges(context.runtime()).compute(model, activations, data,
                spec.string("calibration"), spec.number("percentile"), (int) spec.integer("histogram_bins"),
                actSymmetric);
        QuantRange actRange = QuantRange.int8(actSymmetric, spec.bool("reduce_range"));
        boolean symmetric = spec.bool("symmetric");
        Map<Integer, WeightCandidates.Candidate> byIndex = new HashMap<>();
        candidates.selected.values().forEach(c -> byIndex.put(c.nodeIndex(), c));
        Map<String, String> dequantized = new HashMap<>();
        Map<String, String> weights = new HashMap<>();
        List<NodeProto> out = new ArrayList<>();
        List<String> quantized = new ArrayList<>();
        List<NodeProto> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            WeightCandidates.Candidate c = byIndex.get(i);
            if (c == null) {
                out.add(nodes.get(i));
                continue;
            }
            NodeProto n = c.node();
            String x = n.getInput(0);
            String xdq = dequantized.get(x);
            if (xdq == null) {
                double[] r = ranges.get(x);
                QuantParams p = QuantMath.params(r[0], r[1], actRange, actSymmetric);
                String s = graph.unique(x + "_scale");
                String zp = graph.unique(x + "_zero_point");
                graph.putInitializer(Tensors.ofFloats(s, new long[0], new float[] {p.scale()}));
                graph.putInitializer(Tensors.ofInt8(zp, new long[0], new int[] {p.zeroPoint()}));
                String xq = graph.unique(x + "_QuantizeLinear_Output");
                xdq = graph.unique(x + "_DequantizeLinear_Output");
                out.add(Nodes.node("QuantizeLinear", graph.unique(x + "_QuantizeLinear"), List.of(x, s, zp), List.of(xq))
                        .build());
                out.add(Nodes.node("DequantizeLinear", graph.unique(x + "_DequantizeLinear"), List.of(xq, s, zp),
                        List.of(xdq)).build());
                dequantized.put(x, xdq);
            }
            String wdq = weights.get(c.weight().getName());
            if (wdq == null) {
                int axis = perChannel ? channelAxis(n) : -1;
                WeightQuantizer.QuantizedWeight qw = WeightQuantizer.int8(graph, c.weight(), axis, symmetric,
                        spec.bool("reduce_range"));
                wdq = graph.unique(c.weight().getName() + "_DequantizeLinear_Output");
                NodeProto.Builder dq = Nodes.node("DequantizeLinear", graph.unique(c.weight().getName()
                        + "_DequantizeLinear"), List.of(qw.data(), qw.scale(), qw.zeroPoint()), List.of(wdq));
                if (axis >= 0) {
                    dq.addAttribute(Nodes.intAttr("axis", axis));
                }
                out.add(dq.build());
                weights.put(c.weight().getName(), wdq);
            }
            out.add(n.toBuilder().setInput(0, xdq).setInput(c.weightInput(), wdq).build());
            quantized.add(Nodes.label(n));
        }
        nodes.clear();
        nodes.addAll(out);
        return new SchemeResult(graph.toModel(), quantized, candidates.kept);
    }

    private static int channelAxis(NodeProto n) {
        return switch (n.getOpType()) {
            case "MatMul" -> 1;
            case "Gemm" -> Nodes.intAttr(n, "transB", 0) == 1 ? 0 : 1;
            default -> 0;
        };
    }
}
