package dev.quantgate.evaluation.report;

import dev.quantgate.evaluation.engine.Bootstrap;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.EvaluationResult;
import dev.quantgate.evaluation.engine.Figures;
import dev.quantgate.evaluation.engine.SensitiveAttribute;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The evidence report ({@code "schema": "quantgate.evaluation/v1"}) as a tree of sorted maps, ready for
 * {@link JsonWriter} or {@link MarkdownReport}. Intervals sit in a sibling {@code "ci"} object that mirrors the
 * figures beside it ({@code {"accuracy": -0.002, "ci": {"accuracy": [-0.004, 0.0]}}}). Holds aggregates and
 * group labels only, never rows or feature values.
 */
public final class EvaluationReport {

    public static final String SCHEMA = "quantgate.evaluation/v1";
    public static final String INSUFFICIENT = "insufficient_data";

    private EvaluationReport() {
    }

    public static Map<String, Object> build(EvaluationResult r) {
        Map<String, Object> root = new TreeMap<>();
        root.put("schema", SCHEMA);
        root.putAll(r.metadata());
        root.put("config", config(r));
        Figures f = r.figures();
        Bootstrap.Intervals ci = r.intervals();
        for (int i = 0; i < f.size(); i++) {
            List<String> path = Arrays.asList(f.key(i).split(String.valueOf(Figures.SEP), -1));
            Map<String, Object> parent = parent(root, path);
            parent.put(path.get(path.size() - 1), value(f.value(i)));
            if (ci != null && wantsInterval(path)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> sibling = (Map<String, Object>) parent.computeIfAbsent("ci", x -> new TreeMap<>());
                sibling.put(path.get(path.size() - 1), interval(ci.low()[i], ci.high()[i]));
            }
        }
        markInsufficient(root, r);
        groupHurtMost(root, r);
        if (r.calibration() != null) {
            root.put("calibration", r.calibration());
        }
        root.put("warnings", r.warnings());
        return root;
    }

    private static Object value(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    private static Object interval(double low, double high) {
        return Double.isNaN(low) || Double.isNaN(high) ? null : new double[]{low, high};
    }

    /** Every delta, change, flip and fidelity figure, and the fairness figures of each model. */
    private static boolean wantsInterval(List<String> path) {
        String top = path.get(0);
        if (top.equals("delta")) {
            return !path.get(path.size() - 1).equals("count");
        }
        if (top.equals("flips") || top.equals("impact") || top.equals("fidelity")) {
            return !path.get(path.size() - 1).equals("count");
        }
        return path.contains("fairness");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parent(Map<String, Object> root, List<String> path) {
        Map<String, Object> node = root;
        for (int i = 0; i < path.size() - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(path.get(i), x -> new TreeMap<>());
        }
        return node;
    }

    private static Map<String, Object> config(EvaluationResult r) {
        EvaluationOptions o = r.options();
        Map<String, Object> c = new TreeMap<>();
        c.put("task", o.task().key());
        if (o.task().classification()) {
            c.put("classes", o.classes());
        }
        if (o.task() == dev.quantgate.evaluation.engine.Task.BINARY) {
            c.put("threshold", o.threshold());
            c.put("positive_label", o.classes().get(1));
        }
        List<Object> sensitive = new ArrayList<>();
        for (SensitiveAttribute a : o.sensitive()) {
            Map<String, Object> s = new TreeMap<>();
            s.put("column", a.column());
            if (a.edges() != null) {
                List<Double> edges = new ArrayList<>();
                for (double e : a.edges()) {
                    edges.add(e);
                }
                s.put("edges", edges);
            }
            sensitive.add(s);
        }
        c.put("sensitive", sensitive);
        c.put("intersections", o.intersections());
        c.put("method", o.method().key());
        c.put("min_group_size", o.minGroupSize());
        if (!o.privileged().isEmpty()) {
            c.put("privileged", new TreeMap<>(o.privileged()));
        }
        Map<String, Object> b = new TreeMap<>();
        b.put("iterations", o.bootstrap());
        b.put("seed", o.seed());
        b.put("confidence", 0.95);
        b.put("method", "paired percentile");
        c.put("bootstrap", b);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static void markInsufficient(Map<String, Object> root, EvaluationResult r) {
        for (Map.Entry<String, Map<String, Long>> e : r.insufficient().entrySet()) {
            String section = e.getKey();
            for (Map.Entry<String, Long> g : e.getValue().entrySet()) {
                for (String top : List.of("source", "variant", "delta", "fidelity")) {
                    Map<String, Object> block = (Map<String, Object>) root.get(top);
                    if (block == null) {
                        continue;
                    }
                    Map<String, Object> group = (Map<String, Object>) parent(block,
                            List.of("by_attribute", section, "groups", g.getKey(), "x"));
                    group.put("status", INSUFFICIENT);
                    group.put("count", g.getValue());
                }
                for (String top : List.of("flips", "impact")) {
                    Map<String, Object> block = (Map<String, Object>) root.get(top);
                    if (block == null) {
                        continue;
                    }
                    if (top.equals("flips")) {
                        parent(block, List.of("by_attribute", section, "x")).put(g.getKey(), INSUFFICIENT);
                    } else {
                        String name = block.containsKey("accuracy_drop") ? "accuracy_drop" : "mean_absolute_error_increase";
                        parent(block, List.of(name, "by_attribute", section, "x")).put(g.getKey(), INSUFFICIENT);
                    }
                }
            }
        }
        for (Map.Entry<String, String> p : r.privileged().entrySet()) {
            for (String top : List.of("source", "variant", "delta")) {
                Map<String, Object> block = (Map<String, Object>) root.get(top);
                if (block != null) {
                    Map<String, Object> aif = (Map<String, Object>) parent(block,
                            List.of("by_attribute", p.getKey(), "fairness", "aif360", "x"));
                    aif.put("privileged_group", p.getValue());
                    ((Map<String, Object>) parent(block, List.of("by_attribute", p.getKey(), "fairness", "clarify", "x")))
                            .put("privileged_group", p.getValue());
                }
            }
        }
    }

    /** Names the group whose accuracy fell most (or whose MAE rose most) between source and variant. */
    @SuppressWarnings("unchecked")
    private static void groupHurtMost(Map<String, Object> root, EvaluationResult r) {
        Map<String, Object> impact = (Map<String, Object>) root.get("impact");
        if (impact == null) {
            return;
        }
        String name = impact.containsKey("accuracy_drop") ? "accuracy_drop" : "mean_absolute_error_increase";
        Map<String, Object> figure = (Map<String, Object>) impact.get(name);
        Map<String, Object> byAttribute = (Map<String, Object>) figure.getOrDefault("by_attribute", Map.of());
        Map<String, Object> worst = null;
        double worstValue = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Object> section : byAttribute.entrySet()) {
            Map<String, Object> values = (Map<String, Object>) section.getValue();
            Map<String, Object> groupCis = (Map<String, Object>) values.getOrDefault("ci", Map.of());
            for (Map.Entry<String, Object> g : values.entrySet()) {
                if (g.getValue() instanceof Double v && v > worstValue) {
                    worstValue = v;
                    worst = new TreeMap<>();
                    worst.put("attribute", section.getKey());
                    worst.put("group", g.getKey());
                    worst.put(name, v);
                    worst.put("ci", groupCis.get(g.getKey()));
                }
            }
        }
        impact.put("group_hurt_most", worst);
    }
}
