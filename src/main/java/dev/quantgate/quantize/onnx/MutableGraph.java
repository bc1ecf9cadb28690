package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An editable view of a model's main graph: an ordered node list and initializers by name.
 * Schemes replace nodes in place and add initializers; {@link #toModel()} drops initializers no
 * node uses any more and rebuilds the model.
 */
public final class MutableGraph {

    private final ModelProto source;
    private final List<NodeProto> nodes;
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Long> extraOpsets = new LinkedHashMap<>();

    public MutableGraph(ModelProto model) {
        this.source = model;
        GraphProto g = model.getGraph();
        this.nodes = new ArrayList<>(g.getNodeList());
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (NodeProto n : nodes) {
            names.add(n.getName());
            names.addAll(n.getOutputList());
            names.addAll(n.getInputList());
        }
        names.addAll(initializers.keySet());
        g.getInputList().forEach(v -> names.add(v.getName()));
        g.getOutputList().forEach(v -> names.add(v.getName()));
    }

    public ModelProto source() {
        return source;
    }

    public List<NodeProto> nodes() {
        return nodes;
    }

    public TensorProto initializer(String name) {
        return initializers.get(name);
    }

    public Map<String, TensorProto> initializers() {
        return initializers;
    }

    public void putInitializer(TensorProto t) {
        initializers.put(t.getName(), t);
        names.add(t.getName());
    }

    /** A name not used anywhere in the graph yet, derived from {@code base}. */
    public String unique(String base) {
        String candidate = base;
        int i = 1;
        while (names.contains(candidate)) {
            candidate = base + "_" + i++;
        }
        names.add(candidate);
        return candidate;
    }

    public long opset(String domain) {
        for (OperatorSetIdProto o : source.getOpsetImportList()) {
            if (o.getDomain().equals(domain) || (domain.isEmpty() && o.getDomain().equals("ai.onnx"))) {
                return o.getVersion();
            }
        }
        return extraOpsets.getOrDefault(domain, -1L);
    }

    public void requireOpset(String domain, long version) {
        if (opset(domain) < 0) {
            extraOpsets.put(domain, version);
        }
    }

    /** Number of nodes reading each tensor (graph outputs count as readers). */
    public Map<String, Integer> consumerCounts() {
        Map<String, Integer> counts = new HashMap<>();
        for (NodeProto n : nodes) {
            for (String in : n.getInputList()) {
                counts.merge(in, 1, Integer::sum);
            }
        }
        for (ValueInfoProto v : source.getGraph().getOutputList()) {
            counts.merge(v.getName(), 1, Integer::sum);
        }
        return counts;
    }

    public Set<String> graphOutputs() {
        Set<String> s = new HashSet<>();
        source.getGraph().getOutputList().forEach(v -> s.add(v.getName()));
        return s;
    }

    public ModelProto toModel() {
        Set<String> used = new HashSet<>();
        for (NodeProto n : nodes) {
            used.addAll(n.getInputList());
        }
        source.getGraph().getOutputList().forEach(v -> used.add(v.getName()));
        GraphProto.Builder g = source.getGraph().toBuilder().clearNode().clearInitializer().addAllNode(nodes);
        Set<String> kept = new HashSet<>();
        for (TensorProto t : initializers.values()) {
            if (used.contains(t.getName())) {
                g.addInitializer(t);
                kept.add(t.getName());
            }
        }
        // IR < 4 lists initializers among the graph inputs too: drop the ones that are gone
        List<ValueInfoProto> inputs = new ArrayList<>();
        Set<String> originalInits = new HashSet<>();
        source.getGraph().getInitializerList().forEach(t -> originalInits.add(t.getName()));
        for (ValueInfoProto v : source.getGraph().getInputList()) {
            if (!originalInits.contains(v.getName()) || kept.contains(v.getName())) {
                inputs.add(v);
            }
        }
        g.clearInput().addAllInput(inputs);
        ModelProto.Builder m = source.toBuilder().setGraph(g);
        extraOpsets.forEach((d, v) -> m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
        return m.build();
    }
}
