package dev.quantgate.worker;

import dev.quantgate.evaluation.benchmark.BenchmarkResult;
import dev.quantgate.evaluation.benchmark.HardwareDescriptor;
import dev.quantgate.evaluation.benchmark.LatencyStats;
import dev.quantgate.evaluation.benchmark.ModelMeasurement;
import dev.quantgate.quantize.QuantizationResult;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pieces of a job's evidence ({@value #SCHEMA}) and its MLflow run metrics, as JSON-ready values: maps, lists,
 * strings, booleans, longs and finite doubles only. A figure that is not finite is recorded as {@code null} with a
 * note naming it, never as NaN or an infinity (the server hashes the evidence as RFC 8785 JSON, which has neither).
 */
final class Evidence {

    static final String SCHEMA = "quantgate.evidence/v1";

    private Evidence() {
    }

    static Map<String, Object> hardware(HardwareDescriptor h) {
        Map<String, Object> m = new TreeMap<>();
        m.put("cpu_model", h.cpuModel());
        m.put("isa_flags", h.isaFlags());
        m.put("cores", h.cores());
        m.put("memory_bytes", h.memoryBytes() < 0 ? null : h.memoryBytes());
        m.put("gpus", h.gpus());
        m.put("onnxruntime_version", h.onnxRuntimeVersion());
        m.put("execution_providers", h.executionProviders());
        m.put("os", h.os());
        m.put("java", h.java());
        return m;
    }

    static Map<String, Object> benchmark(BenchmarkResult b, long sourceBytes, long variantBytes) {
        Map<String, Object> m = new TreeMap<>();
        m.put("source", measurement(b.source(), sourceBytes));
        m.put("variant", measurement(b.variant(), variantBytes));
        Map<String, Object> ratios = new TreeMap<>();
        ratios.put("size", ratio(variantBytes, sourceBytes));
        ratios.put("load", ratio(b.variant().loadNanos(), b.source().loadNanos()));
        ratios.put("latency_p50", b.latencyRatio());
        ratios.put("latency_p95", ratio(b.variant().batch1().p95(), b.source().batch1().p95()));
        ratios.put("latency_p99", ratio(b.variant().batch1().p99(), b.source().batch1().p99()));
        ratios.put("throughput", b.throughputRatio());
        m.put("ratios", ratios);
        m.put("ratio_of", "variant / source, measured alternately in one process after warm-up");
        m.put("peak_resident_bytes", b.peakResidentBytes() < 0 ? null : b.peakResidentBytes());
        m.put("memory_method", b.memoryMethod());
        Map<String, Object> inputs = new TreeMap<>();
        inputs.put("kind", b.inputs().kind());
        inputs.put("rows", b.inputs().rows());
        inputs.put("sha256", b.inputs().sha256());
        inputs.put("description", b.inputs().description());
        m.put("inputs", inputs);
        Map<String, Object> o = new TreeMap<>();
        o.put("warmups", b.options().warmups());
        o.put("latency_runs", b.options().latencyRuns());
        o.put("throughput_batch", b.options().throughputBatch());
        o.put("throughput_runs", b.options().throughputRuns());
        o.put("intra_op_threads", b.options().intraOpThreads());
        o.put("seed", b.options().seed());
        m.put("options", o);
        return m;
    }

    private static Map<String, Object> measurement(ModelMeasurement x, long bytes) {
        Map<String, Object> m = new TreeMap<>();
        m.put("file", x.file());
        m.put("sha256", x.sha256());
        m.put("size_bytes", bytes);
        m.put("load_ns", x.loadNanos());
        LatencyStats l = x.batch1();
        Map<String, Object> latency = new TreeMap<>();
        latency.put("samples", l.samples());
        latency.put("p50_ns", l.p50());
        latency.put("p95_ns", l.p95());
        latency.put("p99_ns", l.p99());
        latency.put("mean_ns", l.mean());
        latency.put("min_ns", l.min());
        latency.put("max_ns", l.max());
        m.put("batch1", latency);
        m.put("throughput_batch", x.throughputBatch());
        m.put("rows_per_second", x.rowsPerSecond());
        m.put("resident_growth_bytes", x.residentGrowthBytes());
        return m;
    }

    static Map<String, Object> quantization(QuantizationResult.Produced r) {
        Map<String, Object> m = new TreeMap<>();
        m.put("result", "produced");
        m.put("effective_spec", r.spec().asMap());
        m.put("effective_spec_sha256", r.spec().sha256());
        m.put("source", files(r.source()));
        m.put("output", files(r.output()));
        m.put("nodes_quantized", r.quantizedNodes());
        m.put("nodes_kept", new TreeMap<>(r.keptNodes()));
        Map<String, Object> t = new TreeMap<>();
        t.put("read_ms", r.timings().readMillis());
        t.put("quantize_ms", r.timings().quantizeMillis());
        t.put("write_ms", r.timings().writeMillis());
        t.put("verify_ms", r.timings().verifyMillis());
        t.put("total_ms", r.timings().totalMillis());
        m.put("timings", t);
        m.put("providers", r.providers());
        return m;
    }

    static Map<String, Object> notApplicable(QuantizationResult.NotApplicable r) {
        Map<String, Object> m = new TreeMap<>();
        m.put("scheme", r.spec().scheme().id());
        m.put("spec_sha256", r.spec().sha256());
        m.put("operators", r.operators());
        m.put("source", files(r.source()));
        return m;
    }

    private static Map<String, Object> files(QuantizationResult.ModelFiles f) {
        Map<String, Object> m = new TreeMap<>();
        m.put("file", f.file().getFileName().toString());
        m.put("files", new TreeMap<>(f.sha256()));
        m.put("model_sha256", f.modelSha256());
        m.put("bytes", f.bytes());
        m.put("external_data", f.external());
        return m;
    }

    static Double ratio(double a, double b) {
        return b == 0 ? null : a / b;
    }

    /**
     * A JSON-ready copy: maps with string keys (sorted), lists for arrays, non-finite numbers as null with a note
     * naming their path in {@code notes}.
     */
    static Object sanitize(Object value, String path, List<String> notes) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), sanitize(v, path + "." + k, notes)));
            return out;
        }
        if (value instanceof double[] a) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < a.length; i++) {
                out.add(sanitize(a[i], path + "[" + i + "]", notes));
            }
            return out;
        }
        if (value instanceof Object[] a) {
            return sanitize(List.of(a), path, notes);
        }
        if (value instanceof Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Iterator<?> e = it.iterator(); e.hasNext(); i++) {
                out.add(sanitize(e.next(), path + "[" + i + "]", notes));
            }
            return out;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                notes.add(path.substring(1) + " is " + d + " (undefined), recorded as null");
                return null;
            }
            return d;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return value;
    }

    /** The MLflow run's metrics, read from the evidence; figures that are null are left out. */
    @SuppressWarnings("unchecked")
    static Map<String, Double> runMetrics(Map<String, Object> evidence) {
        Map<String, Double> m = new LinkedHashMap<>();
        Map<String, Object> q = (Map<String, Object>) evidence.get("quantization");
        put(m, "size_bytes_source", at(q, "source", "bytes"));
        put(m, "size_bytes_variant", at(q, "output", "bytes"));
        Map<String, Object> benchmark = (Map<String, Object>) evidence.get("benchmark");
        Map<String, Object> ratios = (Map<String, Object>) benchmark.get("ratios");
        put(m, "size_ratio", ratios.get("size"));
        put(m, "latency_p50_ratio", ratios.get("latency_p50"));
        put(m, "throughput_ratio", ratios.get("throughput"));
        Map<String, Object> e = (Map<String, Object>) evidence.get("evaluation");
        put(m, "accuracy_source", at(e, "source", "overall", "accuracy"));
        put(m, "accuracy_variant", at(e, "variant", "overall", "accuracy"));
        put(m, "accuracy_delta", at(e, "delta", "overall", "accuracy"));
        put(m, "flip_rate", at(e, "flips", "overall"));
        Object byAttribute = at(e, "delta", "by_attribute");
        Double worstDrop = null;
        if (byAttribute instanceof Map<?, ?> attrs) {
            for (Map.Entry<?, ?> a : attrs.entrySet()) {
                Object groups = at((Map<String, Object>) a.getValue(), "groups");
                if (groups instanceof Map<?, ?> gs) {
                    for (Object g : gs.values()) {
                        if (at((Map<String, Object>) g, "accuracy") instanceof Number d) {
                            worstDrop = worstDrop == null ? -d.doubleValue() : Math.max(worstDrop, -d.doubleValue());
                        }
                    }
                }
                for (String f : List.of("demographic_parity_difference", "equalized_odds_difference",
                        "equal_opportunity_difference")) {
                    put(m, "fairness_delta." + metricName(String.valueOf(a.getKey())) + "." + f,
                            at((Map<String, Object>) a.getValue(), "fairness", f));
                }
            }
        }
        put(m, "worst_group_accuracy_drop", worstDrop);
        return m;
    }

    /** MLflow metric names take letters, digits, {@code _ - . /} and spaces: {@code sex&race} becomes {@code sex_race}. */
    static String metricName(String s) {
        return s.replaceAll("[^A-Za-z0-9_\\-./ ]", "_");
    }

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> map, String... keys) {
        Object v = map;
        for (String k : keys) {
            if (!(v instanceof Map<?, ?> m)) {
                return null;
            }
            v = ((Map<String, Object>) m).get(k);
        }
        return v;
    }

    private static void put(Map<String, Double> m, String key, Object v) {
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            m.put(key, n.doubleValue());
        }
    }
}
