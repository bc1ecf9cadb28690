package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.math.Int4Packing;
import dev.quantgate.quantize.math.QuantMath;
import dev.quantgate.quantize.math.QuantParams;
import dev.quantgate.quantize.math.QuantRange;
import dev.quantgate.quantize.onnx.MutableGraph;
import dev.quantgate.quantize.onnx.Nodes;
import dev.quantgate.quantize.onnx.Tensors;

import java.util.ArrayList;
import java.util.List;

/**
 * Embedding tables ({@code Gather} on a large initializer, axis 0) stored quantized. Three forms:
 * int8 with one scale per row ({@code Gather} the int8 rows and their scales, {@code Cast},
 * {@code Mul}), int8 with one scale for the table ({@code Gather} then {@code DequantizeLinear},
 * as ONNX Runtime's quantizer does), and 4-bit blocks through {@code com.microsoft GatherBlockQuantized}.
 */
final class EmbeddingQuantizer {

    private EmbeddingQuantizer() {
    }

    static List<NodeProto> int8PerRow(MutableGraph graph, NodeProto gather, TensorProto table) {
        float[] data = Tensors.floats(table);
        long[] dims = Tensors.dims(table);
        QuantRange range = QuantRange.int8(true, false);
        QuantParams[] rows = QuantMath.perChannel(data, dims, 0, range, true);
        // scales are stored as float16 (folded to float32 by the runtime at load): quantize with those
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new QuantParams(WeightQuantizer.roundToHalf(rows[i].scale()), 0);
        }
        int[] q = QuantMath.quantize(data, dims, 0, rows, range);
        float[] scales = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            scales[i] = rows[i].scale();
        }
        String base = table.getName();
        String qName = graph.unique(base + "_quantized");
        String sHalf = graph.unique(base + "_row_scale_fp16");
        String sName = graph.unique(base + "_row_scale");
        graph.putInitializer(Tensors.ofInt8(qName, dims, q));
        // [rows, 1] so that gathering it gives [..., 1], which broadcasts over the embedding width
        graph.putInitializer(Tensors.ofFloat16(sHalf, new long[] {dims[0], 1}, WeightQuantizer.toHalf(scales)));
        String name = Nodes.label(gather);
        String indices = gather.getInput(1);
        String gq = graph.unique(name + "_quantized_rows");
        String gs = graph.unique(name + "_row_scales");
        String gf = graph.unique(name + "_rows_float");
        List<NodeProto> out = new ArrayList<>();
        out.add(Nodes.node("Cast", graph.unique(sName + "_Cast"), List.of(sHalf), List.of(sName))
                .addAttribute(Nodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)).build());
        out.add(Nodes.node("Gather", graph.unique(name + "_quant"), List.of(qName, indices), List.of(gq))
                .addAttribute(Nodes.intAttr("axis", 0)).build());
        out.add(Nodes.node("Gather", graph.unique(name + "_scale_gather"), List.of(sName, indices), List.of(gs))
                .addAttribute(Nodes.intAttr("axis", 0)).build());
        out.add(Nodes.node("Cast", graph.unique(name + "_cast"), List.of(gq), List.of(gf))
                .addAttribute(Nodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)).build());
        out.add(Nodes.node("Mul", graph.unique(name + "_rescale"), List.of(gf, gs), List.of(gather.getOutput(0))).build());
        return out;
    }

    static List<NodeProto> int8PerTensor(MutableGraph graph, NodeProto gather, TensorProto table) {
        WeightQuantizer.QuantizedWeight qw = WeightQuantizer.int8(graph, table, -1, false, false);
        String name = Nodes.label(gather);
        String gq = graph.unique(name + "_quantized_rows");
        List<NodeProto> out = new ArrayList<>();
        out.add(Nodes.node("Gather", graph.unique(name + "_quant"), List.of(qw.data(), gather.getInput(1)), List.of(gq))
                .addAttribute(Nodes.intAttr("axis", 0)).build());
        out.add(Nodes.node("DequantizeLinear", graph.unique(name + "_dequantize"),
                List.of(gq, qw.scale(), qw.zeroPoint()), List.of(gather.getOutput(0))).build());
        return out;
    }

    /**
     * 4-bit blocks along each row: data uint8 {@code [rows, cols/2]} (low nibble first), scales
     * {@code [rows, cols/block]}, zero points packed the same way (asymmetric) or absent (8).
     */
    static List<NodeProto> int4Blocked(MutableGraph graph, NodeProto gather, TensorProto table, int blockSize,
                                       boolean symmetric) {
        float[] data = Tensors.floats(table);
        long[] dims = Tensors.dims(table);
        int rows = (int) dims[0];
        int cols = (int) dims[1];
        if (cols % blockSize != 0 || cols % 2 != 0) {
            return null;
        }
        int blocks = cols / blockSize;
        int[] q = new int[data.length];
        float[] scales = new float[rows * blocks];
        int[] zps = new int[rows * blocks];
        float[] block = new float[blockSize];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                System.arraycopy(data, r * cols + b * blockSize, block, 0, blockSize);
                Int4Blocks.Block qb = Int4Blocks.quantize(block, blockSize, symmetric);
                scales[r * blocks + b] = qb.scale();
                zps[r * blocks + b] = qb.zeroPoint();
                System.arraycopy(qb.values(), 0, q, r * cols + b * blockSize, blockSize);
            }
        }
        String base = table.getName();
        String qName = graph.unique(base + "_q4");
        String sName = graph.unique(base + "_q4_scales");
        graph.putInitializer(Tensors.ofBytes(qName, TensorProto.DataType.UINT8, new long[] {rows, cols / 2},
                Int4Packing.pack(q)));
        graph.putInitializer(Tensors.ofFloats(sName, new long[] {rows, blocks}, scales));
        List<String> inputs = new ArrayList<>(List.of(qName, gather.getInput(1), sName));
        if (!symmetric) {
            if (blocks % 2 != 0) {
                return null;
            }
            String zName = graph.unique(base + "_q4_zero_points");
            graph.putInitializer(Tensors.ofBytes(zName, TensorProto.DataType.UINT8, new long[] {rows, blocks / 2},
                    Int4Packing.pack(zps)));
            inputs.add(zName);
        }
        graph.requireOpset(Nodes.MS_DOMAIN, 1);
        NodeProto node = Nodes.node("GatherBlockQuantized", graph.unique(Nodes.label(gather) + "_q4"), inputs,
                        List.of(gather.getOutput(0)))
                .setDomain(Nodes.MS_DOMAIN)
                .addAttribute(Nodes.intAttr("gather_axis", 0))
                .addAttribute(Nodes.intAttr("quantize_axis", 1))
                .addAttribute(Nodes.intAttr("block_size", blockSize))
                .addAttribute(Nodes.intAttr("bits", 4))
                .build();
        return List.of(node);
    }
}
