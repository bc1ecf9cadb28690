package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.math.Int4Packing;
import dev.quantgate.quantize.onnx.MutableGraph;
import dev.quantgate.quantize.onnx.Nodes;
import dev.quantgate.quantize.onnx.Tensors;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * INT4 weight-only: each MatMul with a {@code [K, N]} weight becomes {@code com.microsoft MatMulNBits}
 * with 4-bit blocks along K. Layout as ONNX Runtime defines it: B uint8
 * {@code [N, ceil(K/block), block/2]}, low nibble first; scales {@code [N * k_blocks]}; zero points
 * (asymmetric only) packed per column, {@code ceil(k_blocks/2)} bytes each. Embedding tables are
 * stored int8 per row, 4-bit through {@code GatherBlockQuantized}, or left float ({@code embedding_bits}).
 */
public final class Int4WeightOnlyScheme implements QuantizationScheme {

    /** Packed weight, scales and zero points of one {@code [K, N]} matrix. */
    public record Packed(byte[] data, float[] scales, byte[] zeroPoints, int kBlocks) {
    }

    @Override
    public List<String> candidates(ModelProto model, QuantizationSpec spec, SchemeContext context) {
        return new ArrayList<>(new WeightCandidates(new MutableGraph(model), spec).selected.keySet());
    }

    /** Quantizes a row-major {@code [K, N]} float matrix in blocks of {@code blockSize} along K. */
    public static Packed pack(float[] w, int k, int n, int blockSize, boolean symmetric) {
        int kBlocks = (k + blockSize - 1) / blockSize;
        int blob = blockSize / 2;
        byte[] data = new byte[n * kBlocks * blob];
        float[] scales = new float[n * kBlocks];
        int[] zps = new int[n * kBlocks];
        int zpBytesPerColumn = (kBlocks + 1) / 2;
        byte[] zeroPoints = new byte[n * zpBytesPerColumn];
        float[] block = new float[blockSize];
        for (int col = 0; col < n; col++) {
            for (int b = 0; b < kBlocks; b++) {
                int len = Math.min(blockSize, k - b * blockSize);
                for (int j = 0; j < len; j++) {
                    block[j] = w[(b * blockSize + j) * n + col];
                }
                Int4Blocks.Block qb = Int4Blocks.quantize(block, len, symmetric);
                byte[] packed = Int4Packing.pack(qb.values());
                System.arraycopy(packed, 0, data, (col * kBlocks + b) * blob, blob);
                scales[col * kBlocks + b] = qb.scale();
                zps[col * kBlocks + b] = qb.zeroPoint();
                int zpIndex = col * zpBytesPerColumn + b / 2;
                zeroPoints[zpIndex] |= (byte) ((b & 1) == 0 ? qb.zeroPoint() : qb.zeroPoint() << 4);
            }
        }
        return new Packed(data, scales, zeroPoints, kBlocks);
    }

    @Override
    public SchemeResult apply(ModelProto model, QuantizationSpec spec, SchemeContext context) {
        MutableGraph graph = new MutableGraph(model);
        WeightCandidates candidates = new WeightCandidates(graph, spec);
        Map<Integer, WeightCandidates.Candidate> byIndex = new HashMap<>();
        candidates.selected.values().forEach(c -> byIndex.put(c.nodeIndex(), c));
        int blockSize = (int) spec.integer("block_size");
        boolean symmetric = spec.bool("symmetric");
        long accuracyLevel = spec.integer("accuracy_level");
        int embeddingBits = (int) spec.integer("embedding_bits");
        int embeddingBlock = (int) spec.integer("embedding_block_size");
        Map<String, String> kept = new java.util.LinkedHashMap<>(candidates.kept);
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
            String label = Nodes.label(n);
            if (n.getOpType().equals("Gather")) {
                List<NodeProto> replaced = switch (embeddingBits) {
                    case 8 -> EmbeddingQuantizer.int8PerRow(graph, n, c.weight());
                    case 4 -> EmbeddingQuantizer.int4Blocked(graph, n, c.weight(), embeddingBlock, symmetric);
                    default -> null;
                };
                if (replaced == null) {
                    out.add(n);
                    kept.put(label, embeddingBits == 32 ? "embedding_bits is 32 (float)"
                            : "embedding width is not a multiple of embedding_block_size " + embeddingBlock);
                } else {
                    out.addAll(replaced);
                    quantized.add(label);
                }
                continue;
            }
            long[] dims = Tensors.dims(c.weight());
            int k = (int) dims[0];
            int nCols = (int) dims[1];
            Packed p = pack(Tensors.floats(c.weight()), k, nCols, blockSize, symmetric);
            String base = c.weight().getName();
            String bName = graph.unique(base + "_Q4");
            String sName = graph.unique(base + "_scales");
            graph.putInitializer(Tensors.ofBytes(bName, TensorProto.DataType.UINT8,
                    new long[] {nCols, p.kBlocks(), blockSize / 2}, p.data()));
            graph.putInitializer(Tensors.ofFloats(sName, new long[] {(long) nCols * p.kBlocks()}, p.scales()));
            List<String> inputs = new ArrayList<>(List.of(n.getInput(0), bName, sName));
            if (!symmetric) {
                String zName = graph.unique(base + "_zero_points");
                graph.putInitializer(Tensors.ofBytes(zName, TensorProto.DataType.UINT8,
                        new long[] {p.zeroPoints().length}, p.zeroPoints()));
                inputs.add(zName);
            }
            graph.requireOpset(Nodes.MS_DOMAIN, 1);
            out.add(Nodes.node("MatMulNBits", graph.unique(label + "_Q4"), inputs, List.of(n.getOutput(0)))
                    .setDomain(Nodes.MS_DOMAIN)
                    .addAttribute(Nodes.intAttr("K", k))
                    .addAttribute(Nodes.intAttr("N", nCols))
                    .addAttribute(Nodes.intAttr("bits", 4))
                    .addAttribute(Nodes.intAttr("block_size", blockSize))
                    .addAttribute(Nodes.intAttr("accuracy_level", accuracyLevel))
                    .build());
            quantized.add(label);
        }
        nodes.clear();
        nodes.addAll(out);
        return new SchemeResult(graph.toModel(), quantized, kept);
    }
}
