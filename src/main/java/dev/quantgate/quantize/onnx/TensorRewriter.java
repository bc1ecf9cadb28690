package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.function.UnaryOperator;

/**
 * Rewrites every tensor of a model (initializers and tensors in node attributes, subgraphs
 * included) with one function. Tensors the function returns unchanged are shared, not copied.
 */
final class TensorRewriter {

    private TensorRewriter() {
    }

    static ModelProto rewrite(ModelProto model, UnaryOperator<TensorProto> f) {
        GraphProto g = rewrite(model.getGraph(), f);
        return g == model.getGraph() ? model : model.toBuilder().setGraph(g).build();
    }

    static GraphProto rewrite(GraphProto g, UnaryOperator<TensorProto> f) {
        GraphProto.Builder b = null;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            TensorProto r = f.apply(t);
            if (r != t) {
                if (b == null) {
                    b = g.toBuilder();
                }
                b.setInitializer(i, r);
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            NodeProto r = rewrite(n, f);
            if (r != n) {
                if (b == null) {
                    b = g.toBuilder();
                }
                b.setNode(i, r);
            }
        }
        return b == null ? g : b.build();
    }

    private static NodeProto rewrite(NodeProto n, UnaryOperator<TensorProto> f) {
        NodeProto.Builder b = null;
        for (int i = 0; i < n.getAttributeCount(); i++) {
            AttributeProto a = n.getAttribute(i);
            AttributeProto.Builder ab = null;
            if (a.hasT()) {
                TensorProto r = f.apply(a.getT());
                if (r != a.getT()) {
                    ab = a.toBuilder().setT(r);
                }
            }
            for (int j = 0; j < a.getTensorsCount(); j++) {
                TensorProto r = f.apply(a.getTensors(j));
                if (r != a.getTensors(j)) {
                    ab = (ab == null ? a.toBuilder() : ab).setTensors(j, r);
                }
            }
            if (a.hasG()) {
                GraphProto r = rewrite(a.getG(), f);
                if (r != a.getG()) {
                    ab = (ab == null ? a.toBuilder() : ab).setG(r);
                }
            }
            for (int j = 0; j < a.getGraphsCount(); j++) {
                GraphProto r = rewrite(a.getGraphs(j), f);
                if (r != a.getGraphs(j)) {
                    ab = (ab == null ? a.toBuilder() : ab).setGraphs(j, r);
                }
            }
            if (ab != null) {
                if (b == null) {
                    b = n.toBuilder();
                }
                b.setAttribute(i, ab);
            }
        }
        return b == null ? n : b.build();
    }
}
