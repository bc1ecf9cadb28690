package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.quantgate.quantize.runtime.ModelRuntime;
import dev.quantgate.quantize.runtime.TensorData;
import dev.quantgate.quantize.spec.CanonicalJson;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sensitivity-guided mixed precision: quantizes one candidate node at a time, measures the model's
 * output error against float on calibration samples (relative L2 over all float outputs), and keeps
 * the worst nodes in float: a count, a share, or as many as it takes to meet an output-error target.
 */
public final class Sensitivity {

    /** Nodes to keep in float, each with its reason. */
    public record Selection(Map<String, String> kept, Map<String, Double> errors) {
    }

    private final ModelRuntime runtime;

    public Sensitivity(ModelRuntime runtime) {
        this.runtime = runtime;
    }

    public Selection select(ModelProto model, QuantizationSpec spec, QuantizationScheme scheme, SchemeContext context) {
        int samples = (int) spec.integer("sensitivity_samples");
        List<Map<String, TensorData>> inputs = context.calibration().orElseThrow().inputsFor(model, samples);
        List<Map<String, TensorData>> reference = run(model, inputs);
        List<String> candidates = scheme.candidates(model, spec, context);
        Map<String, Double> errors = new LinkedHashMap<>();
        for (String node : candidates) {
            List<String> others = new ArrayList<>(spec.strings("exclude_nodes"));
            candidates.stream().filter(c -> !c.equals(node)).forEach(others::add);
            ModelProto single = scheme.apply(model, spec.with("exclude_nodes", others).with("sensitivity", "off"),
                    context).model();
            errors.put(node, error(reference, run(single, inputs)));
        }
        List<String> ranked = new ArrayList<>(errors.keySet());
        ranked.sort(Comparator.comparingDouble((String n) -> errors.get(n)).reversed());
        String mode = spec.string("sensitivity");
        double value = spec.number("sensitivity_value");
        Map<String, String> kept = new LinkedHashMap<>();
        if (mode.equals("count") || mode.equals("share")) {
            int k = mode.equals("count") ? (int) value : (int) Math.ceil(value * ranked.size());
            for (String n : ranked.subList(0, Math.min(k, ranked.size()))) {
                kept.put(n, "sensitivity " + mode + " " + CanonicalJson.number(value) + ": output error "
                        + String.format("%.3g", errors.get(n)) + " when quantized alone");
            }
        } else {
            Set<String> keep = new HashSet<>();
            double total = errorWith(model, spec, scheme, context, keep, reference, inputs);
            for (String n : ranked) {
                if (total <= value) {
                    break;
                }
                keep.add(n);
                kept.put(n, "sensitivity target " + CanonicalJson.number(value) + ": output error "
                        + String.format("%.3g", errors.get(n)) + " when quantized alone, model error "
                        + String.format("%.3g", total) + " before keeping it");
                total = errorWith(model, spec, scheme, context, keep, reference, inputs);
            }
        }
        return new Selection(kept, errors);
    }

    private double errorWith(ModelProto model, QuantizationSpec spec, QuantizationScheme scheme, SchemeContext context,
                             Set<String> keep, List<Map<String, TensorData>> reference,
                             List<Map<String, TensorData>> inputs) {
        List<String> excluded = new ArrayList<>(spec.strings("exclude_nodes"));
        excluded.addAll(keep);
        ModelProto q = scheme.apply(model, spec.with("exclude_nodes", excluded).with("sensitivity", "off"), context)
                .model();
        return error(reference, run(q, inputs));
    }

    private List<Map<String, TensorData>> run(ModelProto model, List<Map<String, TensorData>> inputs) {
        List<Map<String, TensorData>> out = new ArrayList<>();
        try (ModelRuntime.Session s = runtime.open(model)) {
            for (Map<String, TensorData> in : inputs) {
                out.add(s.run(in));
            }
        }
        return out;
    }

    /** Relative L2 error over every float output of every sample. */
    static double error(List<Map<String, TensorData>> reference, List<Map<String, TensorData>> actual) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < reference.size(); i++) {
            for (Map.Entry<String, TensorData> e : reference.get(i).entrySet()) {
                if (!e.getValue().isFloat()) {
                    continue;
                }
                float[] r = e.getValue().floats();
                float[] a = actual.get(i).get(e.getKey()).floats();
                for (int j = 0; j < r.length; j++) {
                    double d = r[j] - a[j];
                    num += d * d;
                    den += (double) r[j] * r[j];
                }
            }
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }
}
