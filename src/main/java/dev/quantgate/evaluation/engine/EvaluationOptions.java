package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.metrics.DisparityMethod;
import dev.quantgate.evaluation.report.JsonWriter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything an evaluation needs besides the files themselves. Fluent setters; defaults as documented.
 *
 * <p>Its spec form ({@link #toCanonicalJson()}: sorted keys, no whitespace, one number format) holds every option
 * that can change a figure — the batch size included, since with int8-dynamic a row's prediction depends on the
 * rows batched with it — and {@link #sha256()} of it names the options in evidence. {@link #parse(String)} reads
 * it back to equal options. Only {@code threads} is left out: it changes timings, not figures (bootstrap
 * iteration i has its own seed). Paths are kept as given. {@link #frozen()} gives a copy whose setters refuse.
 */
public final class EvaluationOptions {

    private boolean frozen;
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
    private IntervalMethod intervalMethod = IntervalMethod.AUTO;
    private Path calibration;
    private double calibrationFactor = 2.0;
    private String predSourceColumn = "y_pred_source";
    private String predVariantColumn = "y_pred_variant";
    private String scoreSourceColumn = "y_score_source";
    private String scoreVariantColumn = "y_score_variant";
    private String outputName;
    private int batchSize = 1024;
    private Integer deploymentBatchSize;
    private int threads = 2;

    private EvaluationOptions set() {
        if (frozen) {
            throw new IllegalStateException("these evaluation options are frozen (they belong to a result)");
        }
        return this;
    }

    public Task task() { return task; }
    public EvaluationOptions task(Task v) { set().task = v; return this; }

    /** The label column; required except for the fidelity task. */
    public String labelColumn() { return labelColumn; }
    public EvaluationOptions labelColumn(String v) { set().labelColumn = v; return this; }

    /** Class labels as they appear in the data, in the order of the model's outputs; binary: negative, positive. */
    public List<String> classes() { return classes; }
    public EvaluationOptions classes(List<String> v) { set().classes = List.copyOf(v); return this; }

    /** A binary model's positive-class probability at or above this is predicted positive (default 0.5). */
    public double threshold() { return threshold; }
    public EvaluationOptions threshold(double v) { set().threshold = v; return this; }

    public List<SensitiveAttribute> sensitive() { return Collections.unmodifiableList(sensitive); }
    public EvaluationOptions sensitive(SensitiveAttribute a) { set().sensitive.add(a); return this; }

    /** Also report the intersection of all sensitive attributes ({@code sex&race}). */
    public boolean intersections() { return intersections; }
    public EvaluationOptions intersections(boolean v) { set().intersections = v; return this; }

    /** Optional sample-weight column. */
    public String weightColumn() { return weightColumn; }
    public EvaluationOptions weightColumn(String v) { set().weightColumn = v; return this; }

    /** Explicit feature columns, in the order of the model input; otherwise taken from the signature. */
    public List<String> features() { return features; }
    public EvaluationOptions features(List<String> v) { set().features = v == null ? null : List.copyOf(v); return this; }

    /** An MLflow MLmodel file whose signature maps columns to the model input. */
    public Path signature() { return signature; }
    public EvaluationOptions signature(Path v) { set().signature = v; return this; }

    /** AIF360's privileged group, one value per attribute; a row is privileged iff all pairs match. */
    public Map<String, String> privileged() { return Collections.unmodifiableMap(privileged); }
    public EvaluationOptions privileged(String attribute, String value) { set().privileged.put(attribute, value); return this; }

    /** Groups with fewer rows are flagged {@code support: low}; the supported fairness form leaves them out (default 30). */
    public int minGroupSize() { return minGroupSize; }
    public EvaluationOptions minGroupSize(int v) { set().minGroupSize = v; return this; }

    public DisparityMethod method() { return method; }
    public EvaluationOptions method(DisparityMethod v) { set().method = v; return this; }

    /** Paired bootstrap iterations; 0 disables intervals (default 1000). */
    public int bootstrap() { return bootstrap; }
    public EvaluationOptions bootstrap(int v) { set().bootstrap = v; return this; }

    public long seed() { return seed; }
    public EvaluationOptions seed(long v) { set().seed = v; return this; }

    /** How intervals are read from the resamples (default {@link IntervalMethod#AUTO}). */
    public IntervalMethod intervalMethod() { return intervalMethod; }
    public EvaluationOptions intervalMethod(IntervalMethod v) { set().intervalMethod = v; return this; }

    /** The calibration set a static quantization used; its group shares are compared with the evaluation set's. */
    public Path calibration() { return calibration; }
    public EvaluationOptions calibration(Path v) { set().calibration = v; return this; }

    /** A group is flagged when its calibration share is below its evaluation share divided by this (default 2). */
    public double calibrationFactor() { return calibrationFactor; }
    public EvaluationOptions calibrationFactor(double v) { set().calibrationFactor = v; return this; }

    public String predSourceColumn() { return predSourceColumn; }
    public EvaluationOptions predSourceColumn(String v) { set().predSourceColumn = v; return this; }
    public String predVariantColumn() { return predVariantColumn; }
    public EvaluationOptions predVariantColumn(String v) { set().predVariantColumn = v; return this; }
    public String scoreSourceColumn() { return scoreSourceColumn; }
    public EvaluationOptions scoreSourceColumn(String v) { set().scoreSourceColumn = v; return this; }
    public String scoreVariantColumn() { return scoreVariantColumn; }
    public EvaluationOptions scoreVariantColumn(String v) { set().scoreVariantColumn = v; return this; }

    /** The model output to use; by default the first that fits the task. */
    public String outputName() { return outputName; }
    public EvaluationOptions outputName(String v) { set().outputName = v; return this; }

    /** Rows per model call (default 1024; an online scorer sees 1). */
    public int batchSize() { return batchSize; }
    public EvaluationOptions batchSize(int v) { set().batchSize = v; return this; }

    /**
     * The batch size the model will see in deployment, or null when undeclared. A dynamically quantized model
     * evaluated at another batch size gets a warning: its activation scales are computed over the whole batch.
     */
    public Integer deploymentBatchSize() { return deploymentBatchSize; }
    public EvaluationOptions deploymentBatchSize(Integer v) { set().deploymentBatchSize = v; return this; }

    /** Threads for ONNX Runtime's intra-op pool and for the bootstrap (default 2). Not part of the spec. */
    public int threads() { return threads; }
    public EvaluationOptions threads(int v) { set().threads = v; return this; }

    public boolean isFrozen() {
        return frozen;
    }

    /** An unmodifiable copy (threads included). */
    public EvaluationOptions frozen() {
        if (frozen) {
            return this;
        }
        EvaluationOptions copy = parse(toCanonicalJson());
        copy.threads = threads;
        copy.frozen = true;
        return copy;
    }

    /** The spec as a tree of sorted maps, lists, strings, numbers and booleans (absent options left out). */
    public Map<String, Object> toSpec() {
        Map<String, Object> m = new TreeMap<>();
        m.put("task", task.key());
        putIfSet(m, "label", labelColumn);
        m.put("classes", classes);
        m.put("threshold", threshold);
        List<Object> attrs = new ArrayList<>();
        for (SensitiveAttribute a : sensitive) {
            Map<String, Object> s = new TreeMap<>();
            s.put("column", a.column());
            if (a.edges() != null) {
                List<Double> edges = new ArrayList<>();
                for (double e : a.edges()) {
                    edges.add(e);
                }
                s.put("edges", edges);
            }
            attrs.add(s);
        }
        m.put("sensitive", attrs);
        m.put("intersections", intersections);
        putIfSet(m, "weight", weightColumn);
        putIfSet(m, "features", features);
        putIfSet(m, "signature", signature == null ? null : signature.toString());
        if (!privileged.isEmpty()) {
            m.put("privileged", new TreeMap<>(privileged));
        }
        m.put("min_group_size", minGroupSize);
        m.put("method", method.key());
        Map<String, Object> b = new TreeMap<>();
        b.put("iterations", bootstrap);
        // RFC 8785 numbers are doubles: a seed beyond 2^53 is written as its decimal string, exactly
        b.put("seed", Math.abs(seed) <= (1L << 53) ? (Object) seed : Long.toString(seed));
        b.put("interval", intervalMethod.key());
        b.put("confidence", 0.95);
        m.put("bootstrap", b);
        if (calibration != null) {
            Map<String, Object> c = new TreeMap<>();
            c.put("file", calibration.toString());
            c.put("factor", calibrationFactor);
            m.put("calibration", c);
        }
        Map<String, Object> p = new TreeMap<>();
        p.put("pred_source", predSourceColumn);
        p.put("pred_variant", predVariantColumn);
        p.put("score_source", scoreSourceColumn);
        p.put("score_variant", scoreVariantColumn);
        m.put("predictions_columns", p);
        putIfSet(m, "output", outputName);
        m.put("batch_size", batchSize);
        putIfSet(m, "deployment_batch_size", deploymentBatchSize);
        return m;
    }

    private static void putIfSet(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }

    /** Canonical JSON of {@link #toSpec()}. */
    public String toCanonicalJson() {
        return JsonWriter.write(toSpec());
    }

    /** SHA-256 (lower-case hex) of the canonical JSON: the options' identity. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(toCanonicalJson().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads spec JSON; absent keys keep their defaults, unknown keys and wrong types are refused. */
    public static EvaluationOptions parse(String json) {
        return OptionsJson.parse(json);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvaluationOptions other && other.toCanonicalJson().equals(toCanonicalJson());
    }

    @Override
    public int hashCode() {
        return toCanonicalJson().hashCode();
    }

    @Override
    public String toString() {
        return toCanonicalJson();
    }
}
