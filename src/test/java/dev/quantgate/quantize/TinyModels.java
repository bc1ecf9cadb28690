package dev.quantgate.quantize;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.quantgate.quantize.onnx.Tensors;

import java.util.List;
import java.util.Random;

/** Small models built with the ONNX protobuf builders, for tests. */
public final class TinyModels {

    private TinyModels() {
    }

    public static ValueInfoProto input(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    public static ModelProto model(GraphProto graph, long opset) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("quantgate-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    public static float[] random(Random r, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (r.nextGaussian() * scale);
        }
        return f;
    }

    /**
     * ids [batch, 8] (int64) -> Gather(table [64, 32]) -> MatMul(W1 [32, 48]) + b1 -> Relu -> MatMul(W2 [48, 32])
     * -> output [batch, 8, 32]; all weights random but fixed.
     */
    public static ModelProto embeddingMlp(long opset) {
        Random r = new Random(7);
        GraphProto g = GraphProto.newBuilder().setName("tiny")
                .addInput(input("ids", TensorProto.DataType.INT64_VALUE, -1, 8))
                .addOutput(input("out", TensorProto.DataType.FLOAT_VALUE, -1, 8, 32))
                .addInitializer(Tensors.ofFloats("table", new long[] {64, 32}, random(r, 64 * 32, 1.0)))
                .addInitializer(Tensors.ofFloats("W1", new long[] {32, 48}, random(r, 32 * 48, 0.2)))
                .addInitializer(Tensors.ofFloats("b1", new long[] {48}, random(r, 48, 0.1)))
                .addInitializer(Tensors.ofFloats("W2", new long[] {48, 32}, random(r, 48 * 32, 0.2)))
                .addNode(node("Gather", "embed", List.of("table", "ids"), "e"))
                .addNode(node("MatMul", "fc1", List.of("e", "W1"), "h"))
                .addNode(node("Add", "fc1_bias", List.of("h", "b1"), "hb"))
                .addNode(node("Relu", "act", List.of("hb"), "a"))
                .addNode(node("MatMul", "fc2", List.of("a", "W2"), "out"))
                .build();
        return model(g, opset);
    }

    /** x [batch, 32] float -> MatMul(W [32, 64]) -> Relu -> MatMul(W2 [64, 32]) -> out. */
    public static ModelProto floatMlp(long opset) {
        Random r = new Random(11);
        GraphProto g = GraphProto.newBuilder().setName("mlp")
                .addInput(input("x", TensorProto.DataType.FLOAT_VALUE, -1, 32))
                .addOutput(input("out", TensorProto.DataType.FLOAT_VALUE, -1, 32))
                .addInitializer(Tensors.ofFloats("W", new long[] {32, 64}, random(r, 32 * 64, 0.2)))
                .addInitializer(Tensors.ofFloats("W2", new long[] {64, 32}, random(r, 64 * 32, 0.2)))
                .addNode(node("MatMul", "fc1", List.of("x", "W"), "h"))
                .addNode(node("Relu", "act", List.of("h"), "a"))
                .addNode(node("MatMul", "fc2", List.of("a", "W2"), "out"))
                .build();
        return model(g, opset);
    }

    public static NodeProto node(String op, String name, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output).build();
    }
}
