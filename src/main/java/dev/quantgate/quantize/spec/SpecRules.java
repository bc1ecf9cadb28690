package dev.quantgate.quantize.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Defaults, types and allowed values of every spec parameter, per scheme. */
final class SpecRules {

    static final Set<String> CALIBRATION_METHODS = Set.of("minmax", "percentile", "entropy");
    static final Set<String> SENSITIVITY_MODES = Set.of("off", "count", "share", "target");

    private SpecRules() {
    }

    static Map<String, Object> defaults(Scheme scheme) {
        Map<String, Object> m = new TreeMap<>();
        m.put("exclude_nodes", List.of());
        m.put("sensitivity", "off");
        m.put("sensitivity_value", 0.0);
        m.put("sensitivity_samples", 16L);
        switch (scheme) {
            case FP16 -> {
                m.put("op_types", List.of());
                m.put("min_tensor_size", 0L);
                m.put("block_ops", List.of());
                m.put("keep_io_types", true);
            }
            case INT8_DYNAMIC -> {
                m.put("op_types", List.of("Gather", "MatMul"));
                m.put("min_tensor_size", 1024L);
                m.put("bits", 8L);
                m.put("per_channel", true);
                m.put("symmetric", true);
                m.put("reduce_range", false);
                m.put("embedding_per_row", true);
                m.put("smooth_alpha", 0.6);
                m.put("smooth_min_outlier_ratio", 8.0);
                m.put("probe_samples", 8L);
            }
            case INT8_STATIC -> {
                m.put("op_types", List.of("Conv", "Gemm", "MatMul"));
                m.put("min_tensor_size", 0L);
                m.put("bits", 8L);
                m.put("per_channel", true);
                m.put("symmetric", true);
                m.put("activation_symmetric", false);
                m.put("reduce_range", false);
                m.put("calibration", "minmax");
                m.put("percentile", 99.99);
                m.put("histogram_bins", 2048L);
                m.put("calibration_data_sha256", "");
            }
            case INT4_WEIGHT_ONLY -> {
                m.put("op_types", List.of("Gather", "MatMul"));
                m.put("min_tensor_size", 1024L);
                m.put("bits", 4L);
                m.put("block_size", 32L);
                m.put("symmetric", false);
                m.put("accuracy_level", 0L);
                m.put("embedding_bits", 8L);
                m.put("embedding_block_size", 32L);
            }
            default -> throw new IllegalStateException();
        }
        return m;
    }

    static Set<String> supportedOps(Scheme scheme) {
        return switch (scheme) {
            case FP16 -> Set.of();
            case INT8_DYNAMIC, INT4_WEIGHT_ONLY -> Set.of("Gather", "MatMul");
            case INT8_STATIC -> Set.of("Conv", "Gemm", "MatMul");
        };
    }

    /** Checks the key exists for the scheme and the value has its type; numbers are normalised. */
    static Object coerce(Scheme scheme, String key, Object value) {
        Object def = defaults(scheme).get(key);
        if (def == null) {
            throw new InvalidSpecException(key, "unknown parameter for scheme " + scheme.id()
                    + " (known: " + String.join(", ", defaults(scheme).keySet()) + ")");
        }
        if (value == null) {
            throw new InvalidSpecException(key, "must not be null");
        }
        if (def instanceof Boolean) {
            if (value instanceof Boolean) {
                return value;
            }
            throw new InvalidSpecException(key, "expected true or false, got " + value);
        }
        if (def instanceof Long) {
            if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.longValue();
            }
            throw new InvalidSpecException(key, "expected an integer, got " + value);
        }
        if (def instanceof Double) {
            if (value instanceof Number n) {
                return n.doubleValue();
            }
            throw new InvalidSpecException(key, "expected a number, got " + value);
        }
        if (def instanceof String) {
            if (value instanceof String) {
                return value;
            }
            throw new InvalidSpecException(key, "expected a string, got " + value);
        }
        if (value instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String s) || s.isBlank()) {
                    throw new InvalidSpecException(key, "expected a list of names, got " + value);
                }
                out.add(s);
            }
            return List.copyOf(new java.util.TreeSet<>(out));
        }
        throw new InvalidSpecException(key, "expected a list of names, got " + value);
    }

    static void validate(QuantizationSpec spec) {
        Scheme scheme = spec.scheme();
        if (spec.integer("min_tensor_size") < 0) {
            throw new InvalidSpecException("min_tensor_size", spec.integer("min_tensor_size") + " is negative");
        }
        Set<String> ops = supportedOps(scheme);
        if (!ops.isEmpty()) {
            for (String op : spec.strings("op_types")) {
                if (!ops.contains(op)) {
                    throw new InvalidSpecException("op_types", scheme.id() + " cannot quantize " + op
                            + " (supported: " + String.join(", ", new java.util.TreeSet<>(ops)) + ")");
                }
            }
        } else if (!spec.strings("op_types").isEmpty()) {
            throw new InvalidSpecException("op_types", "fp16 converts the whole graph; use block_ops to keep ops in float32");
        }
        String mode = spec.string("sensitivity");
        if (!SENSITIVITY_MODES.contains(mode)) {
            throw new InvalidSpecException("sensitivity", "'" + mode + "' is not one of off, count, share, target");
        }
        double sv = spec.number("sensitivity_value");
        switch (mode) {
            case "count" -> {
                if (sv < 0 || sv != Math.rint(sv)) {
                    throw new InvalidSpecException("sensitivity_value", sv + " is not a node count");
                }
            }
            case "share" -> {
                if (!(sv > 0 && sv <= 1)) {
                    throw new InvalidSpecException("sensitivity_value", sv + " is not a share in (0, 1]");
                }
            }
            case "target" -> {
                if (!(sv > 0)) {
                    throw new InvalidSpecException("sensitivity_value", sv + " is not a positive output-error target");
                }
            }
            default -> { }
        }
        if (spec.integer("sensitivity_samples") < 1) {
            throw new InvalidSpecException("sensitivity_samples", "must be at least 1");
        }
        if (scheme == Scheme.FP16) {
            return;
        }
        long bits = spec.integer("bits");
        long wantBits = scheme == Scheme.INT4_WEIGHT_ONLY ? 4 : 8;
        if (bits != wantBits) {
            throw new InvalidSpecException("bits", bits + " is not supported by " + scheme.id() + " (use " + wantBits + ")");
        }
        if (scheme == Scheme.INT8_DYNAMIC) {
            double alpha = spec.number("smooth_alpha");
            if (!(alpha >= 0 && alpha < 1)) {
                throw new InvalidSpecException("smooth_alpha", CanonicalJson.number(alpha) + " is not in [0, 1)");
            }
            if (!(spec.number("smooth_min_outlier_ratio") >= 1)) {
                throw new InvalidSpecException("smooth_min_outlier_ratio", "must be at least 1");
            }
            long probes = spec.integer("probe_samples");
            if (probes < 1 || probes > 1024) {
                throw new InvalidSpecException("probe_samples", probes + " is not in 1..1024");
            }
        }
        if (scheme == Scheme.INT4_WEIGHT_ONLY) {
            blockSize(spec, "block_size");
            blockSize(spec, "embedding_block_size");
            long level = spec.integer("accuracy_level");
            if (level < 0 || level > 4) {
                throw new InvalidSpecException("accuracy_level", level + " is not in 0..4");
            }
            long eb = spec.integer("embedding_bits");
            if (eb != 4 && eb != 8 && eb != 32) {
                throw new InvalidSpecException("embedding_bits", eb + " is not 4, 8 or 32 (float)");
            }
        }
        if (scheme == Scheme.INT8_STATIC) {
            String method = spec.string("calibration");
            if (!CALIBRATION_METHODS.contains(method)) {
                throw new InvalidSpecException("calibration", "'" + method + "' is not one of entropy, minmax, percentile");
            }
            double p = spec.number("percentile");
            if (!(p > 50 && p <= 100)) {
                throw new InvalidSpecException("percentile", CanonicalJson.number(p) + " is not in (50, 100]");
            }
            long bins = spec.integer("histogram_bins");
            if (bins < 256 || bins > (1 << 20)) {
                throw new InvalidSpecException("histogram_bins", bins + " is not in 256..1048576");
            }
            String hash = spec.string("calibration_data_sha256");
            if (!hash.isEmpty() && !hash.matches("[0-9a-f]{64}")) {
                throw new InvalidSpecException("calibration_data_sha256", "not a hex SHA-256");
            }
        }
    }

    private static void blockSize(QuantizationSpec spec, String key) {
        long bs = spec.integer(key);
        if (bs < 16 || Long.bitCount(bs) != 1 || bs > 2048) {
            throw new InvalidSpecException(key, bs + " is not a power of two between 16 and 2048");
        }
    }
}
