package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.quantgate.quantize.onnx.Nodes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Element types of every tensor in a graph, propagated through the nodes in order with the rules of
 * the common operators (most produce their first input's type). Enough to tell float tensors apart.
 */
final class ElementTypes {

    private static final Set<String> INT64_OUT = Set.of("Shape", "Size", "NonZero", "ArgMax", "ArgMin");
    private static final Set<String> BOOL_OUT = Set.of("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
            "Not", "And", "Or", "Xor", "IsNaN", "IsInf");

    private ElementTypes() {
    }

    static Map<String, Integer> infer(GraphProto g) {
        Map<String, Integer> types = new HashMap<>();
        for (ValueInfoProto v : g.getInputList()) {
            types.put(v.getName(), v.getType().getTensorType().getElemType());
        }
        for (ValueInfoProto v : g.getValueInfoList()) {
            types.put(v.getName(), v.getType().getTensorType().getElemType());
        }
        for (TensorProto t : g.getInitializerList()) {
            types.put(t.getName(), t.getDataType());
        }
        for (NodeProto n : g.getNodeList()) {
            List<String> outs = n.getOutputList();
            for (int o = 0; o < outs.size(); o++) {
                int t = outputType(n, o, types);
                if (t != 0) {
                    types.put(outs.get(o), t);
                }
            }
        }
        for (ValueInfoProto v : g.getOutputList()) {
            int t = v.getType().getTensorType().getElemType();
            if (t != 0) {
                types.putIfAbsent(v.getName(), t);
            }
        }
        return types;
    }

    private static int outputType(NodeProto n, int index, Map<String, Integer> types) {
        String op = n.getOpType();
        if (INT64_OUT.contains(op) || (op.equals("TopK") && index == 1) || (op.equals("MaxPool") && index == 1)) {
            return TensorProto.DataType.INT64_VALUE;
        }
        if (BOOL_OUT.contains(op)) {
            return TensorProto.DataType.BOOL_VALUE;
        }
        switch (op) {
            case "Cast":
                return (int) Nodes.intAttr(n, "to", 0);
            case "Constant":
                return constantType(n);
            case "ConstantOfShape":
                return Nodes.attr(n, "value").map(a -> a.getT().getDataType()).orElse(TensorProto.DataType.FLOAT_VALUE);
            case "Where":
                return typeOf(n, 1, types);
            case "DequantizeLinear":
                return typeOf(n, 1, types);
            case "QuantizeLinear":
                return n.getInputCount() > 2 ? typeOf(n, 2, types) : TensorProto.DataType.UINT8_VALUE;
            case "DynamicQuantizeLinear":
                return index == 0 || index == 2 ? TensorProto.DataType.UINT8_VALUE : TensorProto.DataType.FLOAT_VALUE;
            case "MatMulInteger", "ConvInteger":
                return TensorProto.DataType.INT32_VALUE;
            case "EyeLike", "RandomNormalLike", "RandomUniformLike":
                return (int) Nodes.intAttr(n, "dtype", typeOf(n, 0, types));
            case "RandomNormal", "RandomUniform":
                return (int) Nodes.intAttr(n, "dtype", TensorProto.DataType.FLOAT_VALUE);
            default:
                for (int i = 0; i < n.getInputCount(); i++) {
                    int t = typeOf(n, i, types);
                    if (t != 0) {
                        return t;
                    }
                }
                return 0;
        }
    }

    private static int typeOf(NodeProto n, int i, Map<String, Integer> types) {
        return i < n.getInputCount() ? types.getOrDefault(n.getInput(i), 0) : 0;
    }

    private static int constantType(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value":
                    return a.getT().getDataType();
                case "value_float", "value_floats":
                    return TensorProto.DataType.FLOAT_VALUE;
                case "value_int", "value_ints":
                    return TensorProto.DataType.INT64_VALUE;
                case "value_string", "value_strings":
                    return TensorProto.DataType.STRING_VALUE;
                default:
                    break;
            }
        }
        return 0;
    }
}
