package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.calib.ActivationRanges;
import dev.quantgate.quantize.calib.ProbeInputs;
import dev.quantgate.quantize.onnx.MutableGraph;
import dev.quantgate.quantize.onnx.Nodes;
import dev.quantgate.quantize.onnx.Tensors;
import dev.quantgate.quantize.runtime.TensorData;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * INT8 dynamic quantization: MatMul weights int8 offline (per output column or per tensor),
 * activations quantized at run time. Emits ONNX Runtime's own pattern so its CPU graph optimizer
 * fuses it into {@code DynamicQuantizeMatMul}:
 * {@code DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q, x_zp[, W_zp]) -> Cast -> Mul(x_scale * W_scale)}.
 * Embedding tables are stored int8 (per row by default, or per tensor with {@code DequantizeLinear}).
 *
 * <p>With {@code smooth_alpha > 0}, activation outliers are migrated into the weights before
 * quantizing (SmoothQuant): {@code x W = (x / s) (s W)} with {@code s_c = amax_c^alpha / wmax_c^(1-alpha)},
 * where {@code amax_c} is the activation's largest magnitude per channel, observed on the calibration
 * data or, without it, on deterministic synthetic probe inputs. Only activations with outlier
 * channels (largest channel magnitude at least {@code smooth_min_outlier_ratio} times the median) are smoothed. {@code 1/s} is folded into a
 * preceding {@code Mul} by a constant (an initializer or a {@code Constant} node) when the activation has no
 * reader other than the compensated MatMuls and the Mul is not the tail of a GELU that ONNX Runtime would fuse,
 * so it costs nothing at run time; otherwise (a LayerNorm output that also feeds a residual {@code Add}, a GELU
 * output) it is applied by a new {@code Mul} on the MatMul branch only.
 */
public final class Int8DynamicScheme implements QuantizationScheme {

    @Override
    public List<String> candidates(ModelProto model, QuantizationSpec spec, SchemeContext context) {
        return new ArrayList<>(new WeightCandidates(new MutableGraph(model), spec).selected.keySet());
    }

    @Override
    public SchemeResult apply(ModelProto model, QuantizationSpec spec, SchemeContext context) {
        MutableGraph graph = new MutableGraph(model);
        WeightCandidates candidates = new WeightCandidates(graph, spec);
        Map<Integer, WeightCandidates.Candidate> byIndex = new HashMap<>();
        Map<String, List<WeightCandidates.Candidate>> byInput = new LinkedHashMap<>();
        candidates.selected.values().forEach(c -> {
            byIndex.put(c.nodeIndex(), c);
            if (c.node().getOpType().equals("MatMul")) {
                byInput.computeIfAbsent(c.node().getInput(0), k -> new ArrayList<>()).add(c);
            }
        });
        boolean perChannel = spec.bool("per_channel");
        boolean symmetric = spec.bool("symmetric");
        boolean reduceRange = spec.bool("reduce_range");
        boolean embeddingPerRow = spec.bool("embedding_per_row");
        double alpha = spec.number("smooth_alpha");
        double minRatio = spec.number("smooth_min_outlier_ratio");

        Map<String, float[]> smoothing = alpha > 0 && !byInput.isEmpty()
                ? smoothingFactors(model, spec, context, byInput, alpha, minRatio) : Map.of();
        Map<String, String> smoothedInput = new HashMap<>();
        List<NodeProto> nodes = graph.nodes();
        Map<String, Integer> consumers = graph.consumerCounts();
        Map<Integer, List<NodeProto>> preludes = new HashMap<>();
        Set<Integer> dropped = new HashSet<>();
        // fold 1/s into a constant Mul producing x, or remember to insert a Mul before x's first use
        // a site folds only when every reader of x is one of the MatMuls that get s in their weights; a
        // LayerNorm output that also feeds a residual Add keeps its 1/s Mul (skipping it costs fidelity:
        // MiniLM's mean cosine fell from 0.9965 to 0.9946 without those sites)
        for (Map.Entry<String, float[]> e : smoothing.entrySet()) {
            String x = e.getKey();
            if (consumers.getOrDefault(x, 0) == byInput.get(x).size() && !graph.graphOutputs().contains(x)
                    && foldIntoProducer(graph, x, e.getValue(), preludes, dropped)) {
                smoothedInput.put(x, x);
            }
        }

        Map<String, String[]> dynamicInputs = new HashMap<>();
        Map<String, WeightQuantizer.QuantizedWeight> weights = new HashMap<>();
        List<NodeProto> out = new ArrayList<>();
        List<String> quantized = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            out.addAll(preludes.getOrDefault(i, List.of()));
            if (dropped.contains(i)) {
                continue; // a Constant nothing reads any more
            }
            WeightCandidates.Candidate c = byIndex.get(i);
            if (c == null) {
                out.add(nodes.get(i));
                continue;
            }
            NodeProto n = c.node();
            quantized.add(Nodes.label(n));
            if (n.getOpType().equals("Gather")) {
                out.addAll(embeddingPerRow
                        ? EmbeddingQuantizer.int8PerRow(graph, n, c.weight())
                        : EmbeddingQuantizer.int8PerTensor(graph, n, c.weight()));
                continue;
            }
            String x = n.getInput(0);
            float[] s = smoothing.get(x);
            if (s != null && !smoothedInput.containsKey(x)) {
                String inv = graph.unique(x + "_smooth_inv_fp16");
                String invF = graph.unique(x + "_smooth_inv");
                String xs = graph.unique(x + "_smoothed");
                graph.putInitializer(Tensors.ofFloat16(inv, new long[] {s.length}, WeightQuantizer.toHalf(inverse(s))));
                out.add(Nodes.node("Cast", graph.unique(invF + "_Cast"), List.of(inv), List.of(invF))
                        .addAttribute(Nodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)).build());
                out.add(Nodes.node("Mul", graph.unique(x + "_smooth"), List.of(x, invF), List.of(xs)).build());
                smoothedInput.put(x, xs);
            }
            String qx = s == null ? x : smoothedInput.get(x);
            WeightQuantizer.QuantizedWeight qw = weights.computeIfAbsent(c.weight().getName() + "|" + x, k -> {
                float[] w = Tensors.floats(c.weight());
                long[] dims = Tensors.dims(c.weight());
                if (s != null) {
                    int cols = (int) dims[1];
                    for (int j = 0; j < w.length; j++) {
                        w[j] *= s[j / cols];
                    }
                }
                return WeightQuantizer.int8(graph, c.weight().getName(), w, dims, perChannel ? 1 : -1, symmetric,
                        reduceRange, true);
            });
            String[] xq = dynamicInputs.get(qx);
            if (xq == null) {
                String base = qx.isEmpty() ? "input" : qx;
                xq = new String[] {graph.unique(base + "_quantized"), graph.unique(base + "_scale"),
                        graph.unique(base + "_zero_point")};
                out.add(Nodes.node("DynamicQuantizeLinear", graph.unique(base + "_QuantizeLinear"), List.of(qx),
                        List.of(xq)).build());
                dynamicInputs.put(qx, xq);
            }
            out.addAll(qw.prelude());
            String name = Nodes.label(n);
            String scales = graph.unique(name + "_quant_scales_mul:0");
            String acc = graph.unique(n.getOutput(0) + "_output_quantized");
            String accFloat = graph.unique(n.getOutput(0) + "_output_quantized_cast_output");
            out.add(Nodes.node("Mul", graph.unique(name + "_quant_scales_mul"), List.of(xq[1], qw.scale()),
                    List.of(scales)).build());
            List<String> mmInputs = new ArrayList<>(List.of(xq[0], qw.data(), xq[2]));
            if (qw.zeroPoint() != null) {
                mmInputs.add(qw.zeroPoint());
            }
            out.add(Nodes.node("MatMulInteger", graph.unique(name + "_quant"), mmInputs, List.of(acc)).build());
            out.add(Nodes.node("Cast", graph.unique(acc + "_cast"), List.of(acc), List.of(accFloat))
                    .addAttribute(Nodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)).build());
            out.add(Nodes.node("Mul", graph.unique(name + "_quant_output_scale_mul"), List.of(accFloat, scales),
                    List.of(n.getOutput(0))).build());
        }
        nodes.clear();
        nodes.addAll(out);
        return new SchemeResult(graph.toModel(), quantized, candidates.kept);
    }

    /** Per-channel smoothing factors for each MatMul input, rounded so that 1/s is exact in float16. */
    private static Map<String, float[]> smoothingFactors(ModelProto model, QuantizationSpec spec, SchemeContext context,
                                                        Map<String, List<WeightCandidates.Candidate>> byInput,
                                                        double alpha, double minRatio) {
        int samples = (int) spec.integer("probe_samples");
        List<Map<String, TensorData>> inputs = context.calibration().isPresent()
                ? context.calibration().get().inputsFor(model, samples)
                : ProbeInputs.synthesize(model, samples, 20240601L);
        Map<String, float[]> amax = new ActivationRanges(context.runtime())
                .channelAbsMax(model, byInput.keySet(), inputs);
        Map<String, float[]> factors = new LinkedHashMap<>();
        for (Map.Entry<String, List<WeightCandidates.Candidate>> e : byInput.entrySet()) {
            float[] a = amax.get(e.getKey());
            int k = (int) e.getValue().get(0).weight().getDims(0);
            if (a == null || a.length != k) {
                continue;
            }
            float[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            if (sorted[k - 1] <= 0 || sorted[k - 1] < minRatio * sorted[k / 2]) {
                continue; // no outlier channels worth migrating
            }
            float[] wmax = new float[k];
            for (WeightCandidates.Candidate c : e.getValue()) {
                float[] w = Tensors.floats(c.weight());
                int cols = (int) c.weight().getDims(1);
                for (int j = 0; j < w.length; j++) {
                    wmax[j / cols] = Math.max(wmax[j / cols], Math.abs(w[j]));
                }
            }
            float[] s = new float[k];
            for (int ch = 0; ch < k; ch++) {
                double v = a[ch] > 0 && wmax[ch] > 0
                        ? Math.pow(a[ch], alpha) / Math.pow(wmax[ch], 1 - alpha) : 1.0;
                v = Math.max(1e-3, Math.min(1e3, v));
                float inv = WeightQuantizer.roundToHalf((float) (1.0 / v));
                s[ch] = 1.0f / inv;
            }
            factors.put(e.getKey(), s);
        }
        return factors;
    }

    private static float[] inverse(float[] s) {
        float[] inv = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            inv[i] = 1.0f / s[i];
        }
        return inv;
    }

    /**
     * Whether this Mul is the tail of an exported GELU ({@code x * 0.5 * (1 + erf(x / sqrt 2))}, an {@code Erf}
     * two or three producers up): ONNX Runtime fuses that pattern into one {@code Gelu} kernel only while the
     * constant is exactly 0.5, and an unfused GELU costs four more element-wise passes than the one {@code Mul}
     * that smoothing needs instead (measured on MiniLM: 5 of 6 GELUs unfused, p50 1.10x the peer's).
     */
    private static boolean endsGelu(List<NodeProto> nodes, NodeProto mul) {
        java.util.ArrayDeque<String[]> frontier = new java.util.ArrayDeque<>();
        for (String in : mul.getInputList()) {
            frontier.add(new String[] {in, "0"});
        }
        while (!frontier.isEmpty()) {
            String[] t = frontier.poll();
            int depth = Integer.parseInt(t[1]);
            for (NodeProto p : nodes) {
                if (p.getOutputList().contains(t[0])) {
                    if (p.getOpType().equals("Erf")) {
                        return true;
                    }
                    if (depth < 2) {
                        p.getInputList().forEach(in -> frontier.add(new String[] {in, Integer.toString(depth + 1)}));
                    }
                }
            }
        }
        return false;
    }

    /** Marks the {@code Constant} node producing {@code name} for dropping when the node being rewired is its only reader. */
    private static void dropIfUnread(MutableGraph graph, String name, Set<Integer> dropped) {
        List<NodeProto> nodes = graph.nodes();
        int producer = -1;
        int readers = 0;
        for (int j = 0; j < nodes.size(); j++) {
            NodeProto n = nodes.get(j);
            if (n.getOpType().equals("Constant") && n.getOutputList().contains(name)) {
                producer = j;
            }
            for (String in : n.getInputList()) {
                readers += in.equals(name) ? 1 : 0;
            }
        }
        if (producer >= 0 && readers == 1 && !graph.graphOutputs().contains(name)) {
            dropped.add(producer);
        }
    }

    /** The value of an initializer, or of a {@code Constant} node's {@code value} tensor (GELU's 0.5 in exported BERTs). */
    private static TensorProto constant(MutableGraph graph, String name) {
        TensorProto init = graph.initializer(name);
        if (init != null) {
            return init;
        }
        for (NodeProto n : graph.nodes()) {
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1 && n.getOutput(0).equals(name)) {
                return Nodes.attr(n, "value").filter(a -> a.hasT()).map(a -> a.getT().toBuilder().setName(name).build())
                        .orElse(null);
            }
        }
        return null;
    }

    /**
     * x = Mul(a, const) with const a scalar or per-channel float (an initializer or a {@code Constant}):
     * a new constant const / s takes its place in this Mul, so smoothing costs nothing at run time.
     */
    private static boolean foldIntoProducer(MutableGraph graph, String x, float[] s,
                                            Map<Integer, List<NodeProto>> preludes, Set<Integer> dropped) {
        List<NodeProto> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (!n.getOutputList().contains(x)) {
                continue;
            }
            if (!n.getOpType().equals("Mul") || n.getInputCount() != 2 || endsGelu(nodes, n)) {
                return false;
            }
            for (int side = 0; side < 2; side++) {
                TensorProto c = constant(graph, n.getInput(side));
                if (c == null || !Tensors.isFloat(c)) {
                    continue;
                }
                long size = Tensors.size(c);
                boolean perChannel = c.getDimsCount() == 1 && c.getDims(0) == s.length;
                if (size != 1 && !perChannel) {
                    return false;
                }
                float[] v = Tensors.floats(c);
                float[] folded = new float[s.length];
                for (int ch = 0; ch < s.length; ch++) {
                    folded[ch] = (size == 1 ? v[0] : v[ch]) / s[ch];
                }
                dropIfUnread(graph, n.getInput(side), dropped);
                String name = graph.unique(c.getName() + "_smoothed");
                String half = graph.unique(c.getName() + "_smoothed_fp16");
                if (size == 1) {
                    // a scalar times exact-in-float16 1/s: stored in float16, the runtime folds the Cast
                    graph.putInitializer(Tensors.ofFloat16(half, new long[] {s.length}, WeightQuantizer.toHalf(folded)));
                    // emitted just before node i, so that the candidates' node indices stay valid
                    preludes.computeIfAbsent(i, k -> new ArrayList<>()).add(Nodes.node("Cast",
                                    graph.unique(name + "_Cast"), List.of(half), List.of(name))
                            .addAttribute(Nodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)).build());
                    nodes.set(i, n.toBuilder().setInput(side, name).build());
                } else {
                    graph.putInitializer(Tensors.ofFloats(name, new long[] {s.length}, folded));
                    nodes.set(i, n.toBuilder().setInput(side, name).build());
                }
                return true;
            }
            return false;
        }
        return false;
    }
}
