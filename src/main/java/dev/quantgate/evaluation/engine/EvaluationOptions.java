package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.metrics.DisparityMethod;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything an evaluation needs besides the files themselves. Fluent setters; defaults as documented. */
public final class EvaluationOptions {

    private Task task = Task.BINARY;
    private String labelColumn;
    private List<String> classes = List.of("0", "1");
    private double threshold = 0.5;
    private final List<SensitiveAttribute> sensitive = new ArrayList<>();
    private boolean intersections;
    private String weightColumn;
    private List<String> features;
    private Path signature;
    private final Map<String, String> privileged = new LinkedHashMap<>();
    private int minGroupSize = 30;
    private DisparityMethod method = DisparityMethod.BETWEEN_GROUPS;
    private int bootstrap = 1000;
    private long seed = 7;
    private Path calibration;
    private double calibrationFactor = 2.0;
    private String predSourceColumn = "y_pred_source";
    private String predVariantColumn = "y_pred_variant";
    private String scoreSourceColumn = "y_score_source";
    private String scoreVariantColumn = "y_score_variant";
    private String outputName;
    private int batchSize = 1024;
    private int threads = 2;

    public Task task() { return task; }
    public EvaluationOptions task(Task v) { task = v; return this; }

    /** The label column; required except for the fidelity task. */
    public String labelColumn() { return labelColumn; }
    public EvaluationOptions labelColumn(String v) { labelColumn = v; return this; }

    /** Class labels as they appear in the data, in the order of the model's outputs; binary: negative, positive. */
    public List<String> classes() { return classes; }
    public EvaluationOptions classes(List<String> v) { classes = List.copyOf(v); return this; }

    /** A binary model's positive-class probability at or above this is predicted positive (default 0.5). */
    public double threshold() { return threshold; }
    public EvaluationOptions threshold(double v) { threshold = v; return this; }

    public List<SensitiveAttribute> sensitive() { return sensitive; }
    public EvaluationOptions sensitive(SensitiveAttribute a) { sensitive.add(a); return this; }

    /** Also report the intersection of all sensitive attributes ({@code sex&race}). */
    public boolean intersections() { return intersections; }
    public EvaluationOptions intersections(boolean v) { intersections = v; return this; }

    /** Optional sample-weight column. */
    public String weightColumn() { return weightColumn; }
    public EvaluationOptions weightColumn(String v) { weightColumn = v; return this; }

    /** Explicit feature columns, in the order of the model input; otherwise taken from the signature. */
    public List<String> features() { return features; }
    public EvaluationOptions features(List<String> v) { features = v == null ? null : List.copyOf(v); return this; }

    /** An MLflow MLmodel file whose signature maps columns to the model input. */
    public Path signature() { return signature; }
    public EvaluationOptions signature(Path v) { signature = v; return this; }

    /** AIF360's privileged group, one value per attribute; a row is privileged iff all pairs match. */
    public Map<String, String> privileged() { return privileged; }
    public EvaluationOptions privileged(String attribute, String value) { privileged.put(attribute, value); return this; }

    /** Groups with fewer rows are reported as insufficient_data and left out of fairness metrics (default 30). */
    public int minGroupSize() { return minGroupSize; }
    public EvaluationOptions minGroupSize(int v) { minGroupSize = v; return this; }

    public DisparityMethod method() { return method; }
    public EvaluationOptions method(DisparityMethod v) { method = v; return this; }

    /** Paired bootstrap iterations; 0 disables intervals (default 1000). */
    public int bootstrap() { return bootstrap; }
    public EvaluationOptions bootstrap(int v) { bootstrap = v; return this; }

    public long seed() { return seed; }
    public EvaluationOptions seed(long v) { seed = v; return this; }

    /** The calibration set a static quantization used; its group shares are compared with the evaluation set's. */
    public Path calibration() { return calibration; }
    public EvaluationOptions calibration(Path v) { calibration = v; return this; }

    /** A group is flagged when its calibration share is below its evaluation share divided by this (default 2). */
    public double calibrationFactor() { return calibrationFactor; }
    public EvaluationOptions calibrationFactor(double v) { calibrationFactor = v; return this; }

    public String predSourceColumn() { return predSourceColumn; }
    public EvaluationOptions predSourceColumn(String v) { predSourceColumn = v; return this; }
    public String predVariantColumn() { return predVariantColumn; }
    public EvaluationOptions predVariantColumn(String v) { predVariantColumn = v; return this; }
    public String scoreSourceColumn() { return scoreSourceColumn; }
    public EvaluationOptions scoreSourceColumn(String v) { scoreSourceColumn = v; return this; }
    public String scoreVariantColumn() { return scoreVariantColumn; }
    public EvaluationOptions scoreVariantColumn(String v) { scoreVariantColumn = v; return this; }

    /** The model output to use; by default the first that fits the task. */
    public String outputName() { return outputName; }
    public EvaluationOptions outputName(String v) { outputName = v; return this; }

    /** Rows per model call (default 1024). */
    public int batchSize() { return batchSize; }
    public EvaluationOptions batchSize(int v) { batchSize = v; return this; }

    /** Threads for ONNX Runtime's intra-op pool and for the bootstrap (default 2). */
    public int threads() { return threads; }
    public EvaluationOptions threads(int v) { threads = v; return this; }
}
