package dev.quantgate.evaluation.report;

import dev.quantgate.evaluation.result.CalibrationResult;
import dev.quantgate.evaluation.result.Change;
import dev.quantgate.evaluation.result.DatasetInfo;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.evaluation.result.Figure;
import dev.quantgate.evaluation.result.GroupChange;
import dev.quantgate.evaluation.result.GroupFigures;
import dev.quantgate.evaluation.result.ModelFigures;
import dev.quantgate.evaluation.result.ModelInfo;
import dev.quantgate.evaluation.result.RuntimeInfo;
import dev.quantgate.evaluation.result.SectionFigures;
import dev.quantgate.evaluation.result.Warning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders an {@link EvaluationResult} as the evidence report ({@code "schema": "quantgate.evaluation/v2"}): a tree
 * of sorted maps for {@link JsonWriter}. Intervals sit in a sibling {@code "ci"} object that mirrors the figures
 * beside it ({@code {"accuracy": -0.002, "ci": {"accuracy": [-0.004, 0.0]}}}). Holds aggregates and group labels
 * only, never rows or feature values; timings are left out, so the same inputs give the same bytes.
 */
public final class EvaluationReport {

    public static final String SCHEMA = "quantgate.evaluation/v2";

    private EvaluationReport() {
    }

    public static Map<String, Object> build(EvaluationResult r) {
        Map<String, Object> root = new TreeMap<>();
        root.put("schema", SCHEMA);
        root.put("config", r.options().toSpec());
        root.put("config_sha256", r.options().sha256());
        if (r.dataset() != null) {
            root.put("dataset", dataset(r.dataset()));
        }
        if (r.sourceModel() != null) {
            Map<String, Object> models = new TreeMap<>();
            models.put("source", model(r.sourceModel(), r.runtime()));
            models.put("variant", model(r.variantModel(), r.runtime()));
            root.put("models", models);
        }
        if (r.runtime() != null) {
            root.put("runtime", runtime(r.runtime()));
        }
        putModel(root, "source", r.source());
        putModel(root, "variant", r.variant());
        putModel(root, "delta", r.delta());
        putModel(root, "fidelity", r.fidelity());
        if (r.flips() != null) {
            root.put("flips", change(r.flips()));
        }
        if (r.impact() != null) {
            Map<String, Object> impact = new TreeMap<>();
            Map<String, Object> c = change(r.impact());
            impact.put("group_hurt_most", c.remove("worst"));
            impact.put("group_hurt_most_supported", c.remove("worst_supported"));
            impact.put(r.impact().metric(), c);
            root.put("impact", impact);
        }
        if (r.calibration() != null) {
            root.put("calibration", calibration(r.calibration()));
        }
        List<Object> warnings = new ArrayList<>();
        for (Warning w : r.warnings()) {
            Map<String, Object> m = new TreeMap<>();
            m.put("code", w.code().key());
            m.put("message", w.message());
            warnings.add(m);
        }
        root.put("warnings", warnings);
        return root;
    }

    private static Map<String, Object> dataset(DatasetInfo d) {
        Map<String, Object> m = new TreeMap<>();
        m.put("file", d.file());
        m.put("sha256", d.sha256());
        m.put("rows", d.rows());
        putIfSet(m, "label", d.label());
        putIfSet(m, "classes", d.classes());
        m.put("sensitive", d.sensitive());
        if (d.features() > 0) {
            m.put("features", d.features());
        }
        putIfSet(m, "weight", d.weight());
        return m;
    }

    private static Map<String, Object> model(ModelInfo i, RuntimeInfo runtime) {
        Map<String, Object> m = new TreeMap<>();
        if (i.predictionsColumn() != null) {
            m.put("predictions_column", i.predictionsColumn());
            return m;
        }
        m.put("file", i.file());
        m.put("sha256", i.sha256());
        m.put("files", i.files());
        m.put("output", i.output());
        m.put("dynamic_quantization", i.dynamicQuantization());
        m.put("float16", i.float16());
        if (i.float16()) {
            boolean gpu = runtime != null && runtime.executionProviders().startsWith("CUDA");
            m.put("activations", gpu ? "float16" : "float32 (ONNX Runtime's CPU provider casts float16 nodes)");
        }
        return m;
    }

    private static Map<String, Object> runtime(RuntimeInfo r) {
        Map<String, Object> m = new TreeMap<>();
        m.put("onnxruntime_version", r.onnxRuntimeVersion());
        m.put("execution_providers", r.executionProviders());
        m.put("batch_size", r.batchSize());
        return m;
    }

    private static void putModel(Map<String, Object> root, String name, ModelFigures f) {
        if (f == null) {
            return;
        }
        Map<String, Object> m = new TreeMap<>();
        m.put("overall", group(f.overall()));
        Map<String, Object> sections = new TreeMap<>();
        for (SectionFigures s : f.sections()) {
            Map<String, Object> sec = new TreeMap<>();
            Map<String, Object> groups = new TreeMap<>();
            for (GroupFigures g : s.groups()) {
                groups.put(g.name(), group(g));
            }
            sec.put("groups", groups);
            if (!s.fairness().isEmpty()) {
                Map<String, Object> fairness = figures(s.fairness());
                if (s.privileged() != null) {
                    Map<String, Object> aif = figures(s.privileged().aif360());
                    aif.put("privileged_group", s.privileged().privilegedGroup());
                    fairness.put("aif360", aif);
                    Map<String, Object> clarify = figures(s.privileged().clarify());
                    clarify.put("privileged_group", s.privileged().privilegedGroup());
                    fairness.put("clarify", clarify);
                }
                sec.put("fairness", fairness);
                sec.put("fairness_supported", figures(s.fairnessSupported()));
            }
            sections.put(s.attribute(), sec);
        }
        m.put("by_attribute", sections);
        root.put(name, m);
    }

    private static Map<String, Object> group(GroupFigures g) {
        Map<String, Object> m = figures(g.figures());
        m.put("count", g.count());
        m.put("support", g.support().key());
        return m;
    }

    /** Values by name, and their intervals in a sibling {@code ci} (left out when no figure has one). */
    private static Map<String, Object> figures(SortedMap<String, Figure> figures) {
        Map<String, Object> m = new TreeMap<>();
        Map<String, Object> ci = new TreeMap<>();
        figures.forEach((k, f) -> {
            m.put(k, value(f));
            if (f.interval() != null) {
                ci.put(k, new double[]{f.interval().low(), f.interval().high()});
            }
        });
        if (!ci.isEmpty()) {
            m.put("ci", ci);
        }
        return m;
    }

    private static Object value(Figure f) {
        return f.defined() ? f.value() : null;
    }

    private static Map<String, Object> change(Change c) {
        Map<String, Object> m = new TreeMap<>();
        Map<String, Object> ci = new TreeMap<>();
        m.put("overall", value(c.overall()));
        if (c.overall().interval() != null) {
            ci.put("overall", new double[]{c.overall().interval().low(), c.overall().interval().high()});
        }
        Map<String, Map<String, Object>> sections = new TreeMap<>();
        Map<String, Map<String, Object>> sectionCi = new TreeMap<>();
        for (GroupChange g : c.groups()) {
            sections.computeIfAbsent(g.attribute(), x -> new TreeMap<>()).put(g.group(), value(g.figure()));
            if (g.figure().interval() != null) {
                sectionCi.computeIfAbsent(g.attribute(), x -> new TreeMap<>())
                        .put(g.group(), new double[]{g.figure().interval().low(), g.figure().interval().high()});
            }
        }
        sectionCi.forEach((s, x) -> sections.get(s).put("ci", x));
        m.put("by_attribute", sections);
        if (!ci.isEmpty()) {
            m.put("ci", ci);
        }
        m.put("worst", worst(c.metric(), c.worst()));
        m.put("worst_supported", worst(c.metric(), c.worstSupported()));
        return m;
    }

    private static Map<String, Object> worst(String metric, GroupChange g) {
        if (g == null) {
            return null;
        }
        Map<String, Object> m = new TreeMap<>();
        m.put("attribute", g.attribute());
        m.put("group", g.group());
        m.put("count", g.count());
        m.put("support", g.support().key());
        m.put(metric, value(g.figure()));
        m.put("ci", g.figure().interval() == null ? null
                : new double[]{g.figure().interval().low(), g.figure().interval().high()});
        return m;
    }

    private static Map<String, Object> calibration(CalibrationResult c) {
        Map<String, Object> m = new TreeMap<>();
        m.put("file", c.file());
        m.put("sha256", c.sha256());
        m.put("rows", c.rows());
        m.put("factor", c.factor());
        Map<String, Map<String, Object>> sections = new TreeMap<>();
        for (CalibrationResult.Group g : c.groups()) {
            Map<String, Object> x = new TreeMap<>();
            x.put("calibration_share", g.calibrationShare());
            x.put("evaluation_share", g.evaluationShare());
            if (!Double.isNaN(g.ratio())) {
                x.put("ratio", g.ratio());
            }
            x.put("under_represented", g.underRepresented());
            sections.computeIfAbsent(g.attribute(), k -> new TreeMap<>()).put(g.group(), x);
        }
        m.put("by_attribute", sections);
        return m;
    }

    private static void putIfSet(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }
}
