package dev.quantgate.evaluation;

import ai.onnx.proto.OnnxMl;
import dev.quantgate.evaluation.adult.OnnxGraphs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tiny ONNX models for behaviour tests: y = x·W + b, then an optional activation. */
final class TinyModels {

    private TinyModels() {
    }

    /** Activation after the linear layer. */
    enum Head { NONE, SIGMOID, SOFTMAX, ARGMAX }

    /** {@code w} is features × outputs, row-major. */
    static Path linear(Path file, int features, int outputs, float[] w, float[] b, Head head) {
        String out = switch (head) {
            case NONE -> "y";
            case SIGMOID -> "probability";
            case SOFTMAX -> "probabilities";
            case ARGMAX -> "label";
        };
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("tiny")
                .addInput(OnnxGraphs.batchOf("x", features))
                .addInitializer(OnnxGraphs.floats("w", w, features, outputs))
                .addInitializer(OnnxGraphs.floats("b", b, outputs))
                .addNode(OnnxGraphs.node("MatMul", "mm", new String[]{"x", "w"}, "xw"));
        String last = head == Head.NONE ? "y" : "logits";
        g.addNode(OnnxGraphs.node("Add", "add", new String[]{"xw", "b"}, last));
        switch (head) {
            case NONE -> g.addOutput(OnnxGraphs.batchOf("y", outputs));
            case SIGMOID -> {
                g.addNode(OnnxGraphs.node("Sigmoid", "sig", new String[]{"logits"}, out));
                g.addOutput(OnnxGraphs.batchOf(out, outputs));
            }
            case SOFTMAX -> {
                g.addNode(OnnxGraphs.node("Softmax", "sm", new String[]{"logits"}, out).toBuilder()
                        .addAttribute(OnnxGraphs.intAttribute("axis", 1)).build());
                g.addOutput(OnnxGraphs.batchOf(out, outputs));
            }
            case ARGMAX -> {
                g.addNode(OnnxGraphs.node("ArgMax", "am", new String[]{"logits"}, out).toBuilder()
                        .addAttribute(OnnxGraphs.intAttribute("axis", 1))
                        .addAttribute(OnnxGraphs.intAttribute("keepdims", 0)).build());
                OnnxMl.ValueInfoProto label = OnnxMl.ValueInfoProto.newBuilder().setName(out)
                        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                                .setShape(OnnxMl.TensorShapeProto.newBuilder().addDim(
                                        OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))))).build();
                g.addOutput(label);
            }
        }
        OnnxGraphs.write(g.build(), file);
        return file;
    }

    /** Binary model: p = sigmoid(scale · x0 + bias) over {@code features} inputs (only x0 matters). */
    static Path binary(Path file, int features, float scale, float bias) {
        float[] w = new float[features];
        w[0] = scale;
        return linear(file, features, 1, w, new float[]{bias}, Head.SIGMOID);
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
