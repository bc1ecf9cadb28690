package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.quantgate.quantize.math.Float16;
import dev.quantgate.quantize.onnx.MutableGraph;
import dev.quantgate.quantize.onnx.Nodes;
import dev.quantgate.quantize.onnx.Tensors;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FP16: float initializers, constants and compute in float16. With {@code keep_io_types} the graph's
 * float inputs and outputs stay float32 behind {@code Cast} nodes at the boundary. Ops in
 * {@code block_ops} and nodes in {@code exclude_nodes} run in float32 with casts around them.
 */
public final class Fp16Scheme implements QuantizationScheme {

    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    /** Inputs that ONNX requires in float32 whatever the data type (Resize scales, Upsample scales). */
    private static final Map<String, Set<Integer>> FLOAT32_ONLY_INPUTS = Map.of("Resize", Set.of(2), "Upsample", Set.of(1));

    @Override
    public List<String> candidates(ModelProto model, QuantizationSpec spec, SchemeContext context) {
        Set<String> block = new HashSet<>(spec.strings("block_ops"));
        List<String> out = new ArrayList<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (!block.contains(n.getOpType()) && n.getOutputCount() > 0) {
                out.add(Nodes.label(n));
            }
        }
        return out;
    }

    @Override
    public SchemeResult apply(ModelProto model, QuantizationSpec spec, SchemeContext context) {
        GraphProto g = model.getGraph();
        Map<String, Integer> types = ElementTypes.infer(g);
        MutableGraph graph = new MutableGraph(model);
        Set<String> blockOps = new HashSet<>(spec.strings("block_ops"));
        Set<String> excluded = new HashSet<>(spec.strings("exclude_nodes"));
        boolean keepIo = spec.bool("keep_io_types");
        Map<String, String> kept = new LinkedHashMap<>();
        Set<String> graphOutputs = graph.graphOutputs();

        // float initializers become float16, except where a float32-only input or a blocked node needs them
        Map<String, String> fp16Initializer = new HashMap<>();
        for (TensorProto t : new ArrayList<>(graph.initializers().values())) {
            if (Tensors.isFloat(t)) {
                fp16Initializer.put(t.getName(), graph.unique(t.getName() + "_fp16"));
                graph.putInitializer(toFp16(t, fp16Initializer.get(t.getName())));
            }
        }
        List<NodeProto> out = new ArrayList<>();
        Map<String, String> fp16Input = new HashMap<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (types.getOrDefault(v.getName(), 0) == FLOAT && graph.initializer(v.getName()) == null && keepIo) {
                String cast = graph.unique(v.getName() + "_fp16");
                out.add(cast(graph, v.getName(), cast, FLOAT16));
                fp16Input.put(v.getName(), cast);
            }
        }
        List<String> quantized = new ArrayList<>();
        Map<String, String> outputRename = new HashMap<>();
        for (NodeProto n : graph.nodes()) {
            String label = Nodes.label(n);
            boolean blocked = blockOps.contains(n.getOpType()) || excluded.contains(label);
            NodeProto.Builder b = n.toBuilder();
            if (blocked) {
                kept.put(label, blockOps.contains(n.getOpType()) ? "op " + n.getOpType() + " is in block_ops"
                        : "excluded by exclude_nodes");
                for (int i = 0; i < n.getInputCount(); i++) {
                    String in = n.getInput(i);
                    if (types.getOrDefault(in, 0) == FLOAT && !in.isEmpty()
                            && graph.initializer(in) == null && !isFp32GraphInput(g, in, fp16Input)) {
                        String cast = graph.unique(in + "_fp32");
                        out.add(cast(graph, in, cast, FLOAT));
                        b.setInput(i, cast);
                    }
                }
                List<NodeProto> after = new ArrayList<>();
                for (int o = 0; o < n.getOutputCount(); o++) {
                    String name = n.getOutput(o);
                    if (types.getOrDefault(name, 0) == FLOAT && !graphOutputs.contains(name)) {
                        String f32 = graph.unique(name + "_fp32");
                        b.setOutput(o, f32);
                        after.add(cast(graph, f32, name, FLOAT16));
                    }
                }
                out.add(b.build());
                out.addAll(after);
                continue;
            }
            Set<Integer> f32Only = FLOAT32_ONLY_INPUTS.getOrDefault(n.getOpType(), Set.of());
            for (int i = 0; i < n.getInputCount(); i++) {
                String in = n.getInput(i);
                if (f32Only.contains(i)) {
                    continue;
                }
                if (fp16Initializer.containsKey(in)) {
                    b.setInput(i, fp16Initializer.get(in));
                } else if (fp16Input.containsKey(in)) {
                    b.setInput(i, fp16Input.get(in));
                } else if (outputRename.containsKey(in)) {
                    b.setInput(i, outputRename.get(in));
                }
            }
            convertAttributes(n, b);
            for (int o = 0; o < n.getOutputCount(); o++) {
                String name = n.getOutput(o);
                if (graphOutputs.contains(name) && types.getOrDefault(name, 0) == FLOAT && keepIo) {
                    String f16 = graph.unique(name + "_fp16");
                    b.setOutput(o, f16);
                    outputRename.put(name, f16);
                }
            }
            out.add(b.build());
            for (int o = 0; o < n.getOutputCount(); o++) {
                String f16 = outputRename.get(n.getOutput(o));
                if (f16 != null) {
                    out.add(cast(graph, f16, n.getOutput(o), FLOAT));
                }
            }
            quantized.add(label);
        }
        graph.nodes().clear();
        graph.nodes().addAll(out);
        ModelProto result = graph.toModel();
        GraphProto.Builder gb = result.getGraph().toBuilder().clearValueInfo();
        if (!keepIo) {
            retype(gb.getInputBuilderList(), types);
            retype(gb.getOutputBuilderList(), types);
        }
        return new SchemeResult(result.toBuilder().setGraph(gb).build(), quantized, kept);
    }

    private static boolean isFp32GraphInput(GraphProto g, String name, Map<String, String> fp16Input) {
        return fp16Input.containsKey(name);
    }

    private static void retype(List<ValueInfoProto.Builder> values, Map<String, Integer> types) {
        for (ValueInfoProto.Builder v : values) {
            if (v.getType().getTensorType().getElemType() == FLOAT) {
                TypeProto.Builder t = v.getTypeBuilder();
                t.getTensorTypeBuilder().setElemType(FLOAT16);
            }
        }
    }

    private static void convertAttributes(NodeProto n, NodeProto.Builder b) {
        for (int a = 0; a < n.getAttributeCount(); a++) {
            AttributeProto attr = n.getAttribute(a);
            if (n.getOpType().equals("Cast") && attr.getName().equals("to") && attr.getI() == FLOAT) {
                b.setAttribute(a, attr.toBuilder().setI(FLOAT16));
            } else if (attr.hasT() && Tensors.isFloat(attr.getT())
                    && (n.getOpType().equals("Constant") || n.getOpType().equals("ConstantOfShape"))) {
                b.setAttribute(a, attr.toBuilder().setT(toFp16(attr.getT(), attr.getT().getName())));
            } else if (n.getOpType().equals("Constant") && attr.getName().equals("value_float")) {
                float v = Math.max(-FP16_MAX, Math.min(FP16_MAX, attr.getF()));
                TensorProto t = Tensors.ofFloat16("", new long[0], new short[] {Float16.fromFloat(v)});
                b.setAttribute(a, Nodes.tensorAttr("value", t));
            }
        }
    }

    /** Largest finite float16. */
    static final float FP16_MAX = 65504f;

    /**
     * Float16 copy of a constant. Finite values beyond the float16 range are clamped to +-65504
     * rather than becoming infinite: masks written as {@code -3.4e38} would otherwise turn into
     * {@code -inf} and then NaN ({@code 0 * -inf}).
     */
    private static TensorProto toFp16(TensorProto t, String name) {
        float[] f = Tensors.floats(t);
        short[] h = new short[f.length];
        for (int i = 0; i < f.length; i++) {
            float v = f[i];
            if (Float.isFinite(v)) {
                v = Math.max(-FP16_MAX, Math.min(FP16_MAX, v));
            }
            h[i] = Float16.fromFloat(v);
        }
        return Tensors.ofFloat16(name, Tensors.dims(t), h);
    }

    private static NodeProto cast(MutableGraph graph, String in, String out, int to) {
        return Nodes.node("Cast", graph.unique(out + "_Cast"), List.of(in), List.of(out))
                .addAttribute(Nodes.intAttr("to", to)).build();
    }
}
