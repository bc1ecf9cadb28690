package dev.quantgate.evaluation;

import ai.onnx.proto.OnnxMl;
import dev.quantgate.evaluation.adult.OnnxGraphs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Models saved as MLflow saves them ({@code save_as_external_data=True}): the graph in {@code model.onnx}, tensors
 * in sidecar files beside it, each named in its TensorProto by {@code data_location=EXTERNAL} and
 * {@code external_data} {@code location}/{@code offset}/{@code length}. Also graphs that mark a model as
 * dynamically quantized or float16.
 */
final class ExternalDataModels {

    private ExternalDataModels() {
    }

    /** A float tensor stored externally in {@code location} at {@code offset}. */
    static OnnxMl.TensorProto external(String name, String location, long offset, float[] values, long... dims) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(values.length * 4L)));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static OnnxMl.StringStringEntryProto entry(String k, String v) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    static byte[] bytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /**
     * p = sigmoid(x·w + b) over {@code features} inputs, with w and b in external files: {@code wFile} holds w at
     * offset 4096 (as ONNX aligns), {@code bFile} holds b at offset 0 (the same file name puts both in one file).
     */
    static Path binary(Path dir, int features, float[] w, float b, String wFile, String bFile) {
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName("external")
                .addInput(OnnxGraphs.batchOf("x", features))
                .addInitializer(external("w", wFile, 4096, w, features, 1))
                .addInitializer(external("b", bFile, 0, new float[]{b}, 1))
                .addNode(OnnxGraphs.node("MatMul", "mm", new String[]{"x", "w"}, "xw"))
                .addNode(OnnxGraphs.node("Add", "add", new String[]{"xw", "b"}, "logits"))
                .addNode(OnnxGraphs.node("Sigmoid", "sig", new String[]{"logits"}, "probability"))
                .addOutput(OnnxGraphs.batchOf("probability", 1)).build();
        Path model = dir.resolve("model.onnx");
        OnnxGraphs.write(g, model);
        byte[] wb = bytes(w);
        byte[] bb = bytes(new float[]{b});
        try {
            if (wFile.equals(bFile)) {
                ByteBuffer all = ByteBuffer.allocate(4096 + wb.length);
                all.put(bb).position(4096);
                all.put(wb);
                Files.write(dir.resolve(wFile), all.array());
            } else {
                ByteBuffer wAll = ByteBuffer.allocate(4096 + wb.length);
                wAll.position(4096);
                wAll.put(wb);
                Files.createDirectories(dir.resolve(wFile).getParent());
                Files.write(dir.resolve(wFile), wAll.array());
                Files.write(dir.resolve(bFile), bb);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return model;
    }

    /**
     * p = sigmoid(dequantize(dynamic_quantize(x))·w + b): ONNX Runtime's int8-dynamic shape, where the activation
     * scale is taken over the whole batch.
     */
    static Path dynamicQuantized(Path file, int features, float[] w, float b) {
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName("dynamic")
                .addInput(OnnxGraphs.batchOf("x", features))
                .addInitializer(OnnxGraphs.floats("w", w, features, 1))
                .addInitializer(OnnxGraphs.floats("b", new float[]{b}, 1))
                .addNode(OnnxGraphs.node("DynamicQuantizeLinear", "dql", new String[]{"x"}, "xq", "xs", "xz"))
                .addNode(OnnxGraphs.node("DequantizeLinear", "dq", new String[]{"xq", "xs", "xz"}, "xd"))
                .addNode(OnnxGraphs.node("MatMul", "mm", new String[]{"xd", "w"}, "xw"))
                .addNode(OnnxGraphs.node("Add", "add", new String[]{"xw", "b"}, "logits"))
                .addNode(OnnxGraphs.node("Sigmoid", "sig", new String[]{"logits"}, "probability"))
                .addOutput(OnnxGraphs.batchOf("probability", 1)).build();
        OnnxGraphs.write(g, file);
        return file;
    }

    /** p = sigmoid(x·w + b) computed in float16 between two casts, as an fp16 variant with float32 inputs is. */
    static Path float16(Path file, int features, float[] w, float b) {
        int f16 = OnnxMl.TensorProto.DataType.FLOAT16.getNumber();
        int f32 = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName("fp16")
                .addInput(OnnxGraphs.batchOf("x", features))
                .addInitializer(OnnxGraphs.floats("w", w, features, 1))
                .addInitializer(OnnxGraphs.floats("b", new float[]{b}, 1))
                .addNode(cast("cx", "x", "xh", f16))
                .addNode(cast("cw", "w", "wh", f16))
                .addNode(cast("cb", "b", "bh", f16))
                .addNode(OnnxGraphs.node("MatMul", "mm", new String[]{"xh", "wh"}, "xw"))
                .addNode(OnnxGraphs.node("Add", "add", new String[]{"xw", "bh"}, "lh"))
                .addNode(cast("cl", "lh", "logits", f32))
                .addNode(OnnxGraphs.node("Sigmoid", "sig", new String[]{"logits"}, "probability"))
                .addOutput(OnnxGraphs.batchOf("probability", 1)).build();
        OnnxGraphs.write(g, file);
        return file;
    }

    private static OnnxMl.NodeProto cast(String name, String in, String out, int to) {
        return OnnxGraphs.node("Cast", name, new String[]{in}, out).toBuilder()
                .addAttribute(OnnxGraphs.intAttribute("to", to)).build();
    }
}
