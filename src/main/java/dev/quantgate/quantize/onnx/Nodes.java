package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.List;
import java.util.Optional;

/** Small helpers to build and read nodes. */
public final class Nodes {

    public static final String MS_DOMAIN = "com.microsoft";

    private Nodes() {
    }

    public static NodeProto.Builder node(String opType, String name, List<String> inputs, List<String> outputs) {
        return NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs).addAllOutput(outputs);
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    public static AttributeProto tensorAttr(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    public static Optional<AttributeProto> attr(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    public static long intAttr(NodeProto node, String name, long fallback) {
        return attr(node, name).map(AttributeProto::getI).orElse(fallback);
    }

    public static String label(NodeProto node) {
        return node.getName().isEmpty() ? node.getOpType() + "->" + node.getOutput(0) : node.getName();
    }
}
