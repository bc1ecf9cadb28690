package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.onnx.MutableGraph;
import dev.quantgate.quantize.onnx.Nodes;
import dev.quantgate.quantize.onnx.Tensors;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the nodes whose weight is a float initializer a scheme can quantize (MatMul/Gemm/Conv
 * weights, Gather embedding tables), and applies the spec's op types, exclusions and minimum size.
 */
final class WeightCandidates {

    /** A node to quantize, and the index of its weight input. */
    record Candidate(int nodeIndex, NodeProto node, int weightInput, TensorProto weight) {
    }

    final Map<String, Candidate> selected = new LinkedHashMap<>();
    final Map<String, String> kept = new LinkedHashMap<>();

    WeightCandidates(MutableGraph graph, QuantizationSpec spec) {
        Set<String> ops = new HashSet<>(spec.strings("op_types"));
        Set<String> excluded = new HashSet<>(spec.strings("exclude_nodes"));
        long minSize = spec.integer("min_tensor_size");
        List<NodeProto> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                continue;
            }
            int wi = weightInput(n);
            if (wi < 0 || !ops.contains(n.getOpType()) || n.getInputCount() <= wi) {
                continue;
            }
            TensorProto w = graph.initializer(n.getInput(wi));
            if (w == null || !Tensors.isFloat(w) || !shapeFits(n, w)) {
                continue;
            }
            String label = Nodes.label(n);
            if (excluded.contains(label)) {
                kept.put(label, "excluded by exclude_nodes");
            } else if (Tensors.size(w) < minSize) {
                kept.put(label, "weight " + w.getName() + " has " + Tensors.size(w) + " elements, below min_tensor_size "
                        + minSize);
            } else {
                selected.put(label, new Candidate(i, n, wi, w));
            }
        }
    }

    private static int weightInput(NodeProto n) {
        return switch (n.getOpType()) {
            case "MatMul", "Gemm", "Conv" -> 1;
            case "Gather" -> 0;
            default -> -1;
        };
    }

    private static boolean shapeFits(NodeProto n, TensorProto w) {
        int rank = w.getDimsCount();
        return switch (n.getOpType()) {
            case "MatMul" -> rank == 2;
            case "Gemm" -> rank == 2 && Nodes.intAttr(n, "transA", 0) == 0;
            case "Conv" -> rank >= 3;
            case "Gather" -> rank == 2 && Nodes.intAttr(n, "axis", 0) == 0;
            default -> false;
        };
    }
}
