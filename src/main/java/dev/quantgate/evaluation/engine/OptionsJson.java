package dev.quantgate.evaluation.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.metrics.DisparityMethod;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads {@link EvaluationOptions}' spec JSON back into options. */
final class OptionsJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("task", "label", "classes", "threshold", "sensitive", "intersections",
            "weight", "features", "signature", "privileged", "min_group_size", "method", "bootstrap", "calibration",
            "predictions_columns", "output", "batch_size", "deployment_batch_size");

    private OptionsJson() {
    }

    static EvaluationOptions parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadInputException("evaluation options: not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException("evaluation options: a JSON object is expected");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new BadInputException("evaluation options: unknown key '" + k + "'");
            }
        }
        EvaluationOptions o = new EvaluationOptions();
        try {
            if (root.has("task")) {
                o.task(Task.parse(text(root, "task")));
            }
            o.labelColumn(optText(root, "label"));
            if (root.has("classes")) {
                o.classes(strings(root.get("classes"), "classes"));
            }
            if (root.has("threshold")) {
                o.threshold(number(root, "threshold"));
            }
            for (JsonNode s : array(root, "sensitive")) {
                String column = text(s, "column");
                if (s.has("edges")) {
                    List<Double> edges = new ArrayList<>();
                    for (JsonNode e : array(s, "edges")) {
                        edges.add(e.asDouble());
                    }
                    o.sensitive(SensitiveAttribute.bucketed(column, edges.stream().mapToDouble(Double::doubleValue).toArray()));
                } else {
                    o.sensitive(SensitiveAttribute.categorical(column));
                }
            }
            o.intersections(root.path("intersections").asBoolean(false));
            o.weightColumn(optText(root, "weight"));
            if (root.has("features")) {
                o.features(strings(root.get("features"), "features"));
            }
            String sig = optText(root, "signature");
            o.signature(sig == null ? null : Path.of(sig));
            if (root.has("privileged")) {
                root.get("privileged").fields().forEachRemaining(e -> o.privileged(e.getKey(), e.getValue().asText()));
            }
            if (root.has("min_group_size")) {
                o.minGroupSize(root.get("min_group_size").asInt());
            }
            if (root.has("method")) {
                o.method(DisparityMethod.parse(text(root, "method")));
            }
            JsonNode b = root.path("bootstrap");
            if (b.has("iterations")) {
                o.bootstrap(b.get("iterations").asInt());
            }
            if (b.has("seed")) {
                JsonNode seed = b.get("seed");
                if (seed.isIntegralNumber() && seed.canConvertToLong()) {
                    o.seed(seed.longValue());
                } else if (seed.isTextual() && seed.asText().matches("-?[0-9]{1,19}")
                        && new java.math.BigInteger(seed.asText()).bitLength() < 64) {
                    o.seed(Long.parseLong(seed.asText()));
                } else {
                    throw new BadInputException("evaluation options: bootstrap.seed must be a whole number, was " + seed);
                }
            }
            if (b.has("interval")) {
                o.intervalMethod(IntervalMethod.parse(b.get("interval").asText()));
            }
            JsonNode c = root.path("calibration");
            if (c.has("file")) {
                o.calibration(Path.of(c.get("file").asText()));
            }
            if (c.has("factor")) {
                o.calibrationFactor(c.get("factor").asDouble());
            }
            JsonNode p = root.path("predictions_columns");
            if (p.has("pred_source")) {
                o.predSourceColumn(p.get("pred_source").asText());
            }
            if (p.has("pred_variant")) {
                o.predVariantColumn(p.get("pred_variant").asText());
            }
            if (p.has("score_source")) {
                o.scoreSourceColumn(p.get("score_source").asText());
            }
            if (p.has("score_variant")) {
                o.scoreVariantColumn(p.get("score_variant").asText());
            }
            o.outputName(optText(root, "output"));
            if (root.has("batch_size")) {
                o.batchSize(root.get("batch_size").asInt());
            }
            if (root.has("deployment_batch_size") && !root.get("deployment_batch_size").isNull()) {
                o.deploymentBatchSize(root.get("deployment_batch_size").asInt());
            }
        } catch (IllegalArgumentException e) {
            throw new BadInputException("evaluation options: " + e.getMessage());
        }
        return o;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw new BadInputException("evaluation options: '" + key + "' must be a string");
        }
        return v.asText();
    }

    private static String optText(JsonNode n, String key) {
        return n.has(key) && !n.get(key).isNull() ? text(n, key) : null;
    }

    private static double number(JsonNode n, String key) {
        if (!n.get(key).isNumber()) {
            throw new BadInputException("evaluation options: '" + key + "' must be a number");
        }
        return n.get(key).asDouble();
    }

    private static Iterable<JsonNode> array(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new BadInputException("evaluation options: '" + key + "' must be a list");
        }
        return v;
    }

    private static List<String> strings(JsonNode v, String key) {
        if (!v.isArray()) {
            throw new BadInputException("evaluation options: '" + key + "' must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        v.forEach(x -> out.add(x.asText()));
        return out;
    }
}
