package dev.quantgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.policy.model.Approvals;
import dev.quantgate.policy.model.Calibration;
import dev.quantgate.policy.model.DatasetRef;
import dev.quantgate.policy.model.Evaluation;
import dev.quantgate.policy.model.Protect;
import dev.quantgate.policy.model.QuantizationPolicy;
import dev.quantgate.policy.model.Rule;
import dev.quantgate.policy.model.Selector;
import dev.quantgate.policy.model.SmallGroups;
import dev.quantgate.policy.model.Variant;
import dev.quantgate.policy.model.Waivers;
import dev.quantgate.quantize.spec.InvalidSpecException;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns a document that passed the schema into a typed {@link QuantizationPolicy}, checking what a
 * schema cannot: each variant builds a valid {@link QuantizationSpec} (the quantizer's own rules, so a
 * policy cannot ask for what the engine would refuse), bucketed attributes are sensitive, edges rise,
 * the positive class is one of the classes, rule ids are unique, durations parse.
 */
final class PolicyBinder {

    /** Variant keys that are not spec parameters. */
    private static final Set<String> VARIANT_KEYS = Set.of("scheme", "worker", "fallback", "calibration");
    /** {@code calibration: {method, percentile, histogram_bins}} in a variant, as spec parameters. */
    private static final Map<String, String> CALIBRATION_PARAMS =
            Map.of("method", "calibration", "percentile", "percentile", "histogram_bins", "histogram_bins");

    private final String file;
    private final YamlDocument document;
    private final List<PolicyError> errors = new ArrayList<>();

    private PolicyBinder(String file, YamlDocument document) {
        this.file = file;
        this.document = document;
    }

    /** The typed policy, or every problem found. */
    static QuantizationPolicy bind(String file, YamlDocument document) throws PolicyFileException {
        PolicyBinder binder = new PolicyBinder(file, document);
        QuantizationPolicy policy = binder.policy(document.root());
        if (!binder.errors.isEmpty()) {
            throw new PolicyFileException(binder.errors);
        }
        return policy;
    }

    private QuantizationPolicy policy(JsonNode root) {
        JsonNode spec = root.path("spec");
        JsonNode selector = spec.path("selector");
        Map<String, String> tags = new TreeMap<>();
        selector.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        return new QuantizationPolicy(
                root.path("metadata").path("name").asText(),
                root.path("metadata").path("description").asText(""),
                new Selector(strings(selector.path("models")), tags),
                protect(spec.path("protect")),
                spec.has("evaluation") ? Optional.of(evaluation(spec.get("evaluation"))) : Optional.empty(),
                spec.has("calibration") ? Optional.of(calibration(spec.get("calibration"))) : Optional.empty(),
                variants(spec.path("variants")),
                rules(spec.path("rules")),
                spec.has("small_groups")
                        ? SmallGroups.valueOf(spec.get("small_groups").asText().toUpperCase(Locale.ROOT))
                        : SmallGroups.NEEDS_APPROVAL,
                approvals(spec.path("approvals")),
                waivers(spec.path("waivers")));
    }

    private static Protect protect(JsonNode node) {
        return node.isMissingNode() ? Protect.NOTHING : new Protect(strings(node.path("aliases")), strings(node.path("stages")));
    }

    private Evaluation evaluation(JsonNode node) {
        List<String> sensitive = strings(node.path("sensitive"));
        List<String> classes = new ArrayList<>();
        node.path("classes").forEach(c -> classes.add(scalar(c)));
        String positive = node.has("positive") ? scalar(node.get("positive")) : null;
        if (positive != null && !classes.isEmpty() && !classes.contains(positive)) {
            error("/spec/evaluation/positive", "'" + positive + "' is not one of the classes " + classes);
        }
        Map<String, List<Double>> buckets = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.path("buckets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String pointer = "/spec/evaluation/buckets/" + e.getKey();
            if (!sensitive.contains(e.getKey())) {
                error(pointer, "'" + e.getKey() + "' is not a sensitive attribute (sensitive: " + sensitive + ")");
            }
            List<Double> edges = new ArrayList<>();
            e.getValue().forEach(v -> edges.add(v.doubleValue()));
            for (int i = 1; i < edges.size(); i++) {
                if (!(edges.get(i) > edges.get(i - 1))) {
                    error(pointer + "/" + i, "bucket edges must rise: " + edges);
                    break;
                }
            }
            buckets.put(e.getKey(), edges);
        }
        return new Evaluation(
                dataset(node.path("dataset"), Evaluation.DEFAULT_DATASET_TAG),
                node.has("label") ? node.get("label").asText() : null,
                positive, classes, sensitive, buckets,
                node.path("intersections").asBoolean(false),
                node.path("bootstrap").asInt(Evaluation.DEFAULT_BOOTSTRAP),
                node.path("min_group_size").asInt(Evaluation.DEFAULT_MIN_GROUP_SIZE),
                node.path("threshold").asDouble(Evaluation.DEFAULT_THRESHOLD),
                node.path("batch_size").asInt(Evaluation.DEFAULT_BATCH_SIZE),
                node.path("seed").asLong(Evaluation.DEFAULT_SEED));
    }

    private static Calibration calibration(JsonNode node) {
        return new Calibration(dataset(node.path("dataset"), Calibration.DEFAULT_DATASET_TAG),
                node.path("max_underrepresentation").asDouble(Calibration.DEFAULT_MAX_UNDERREPRESENTATION));
    }

    private static DatasetRef dataset(JsonNode node, String defaultTag) {
        if (node.has("uri")) {
            return DatasetRef.uri(node.get("uri").asText());
        }
        return DatasetRef.tag(node.path("tag").asText(defaultTag));
    }

    private List<Variant> variants(JsonNode array) {
        List<Variant> out = new ArrayList<>();
        Set<String> specs = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String pointer = "/spec/variants/" + i;
            JsonNode v = array.get(i);
            Scheme scheme = Scheme.fromId(v.get("scheme").asText());
            Map<String, Object> params = new TreeMap<>();
            Map<String, String> pointers = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!VARIANT_KEYS.contains(e.getKey())) {
                    params.put(e.getKey(), value(e.getValue()));
                    pointers.put(e.getKey(), pointer + "/" + e.getKey());
                }
            }
            JsonNode calibration = v.path("calibration");
            for (Iterator<Map.Entry<String, JsonNode>> it = calibration.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String param = CALIBRATION_PARAMS.get(e.getKey());
                params.put(param, value(e.getValue()));
                pointers.put(param, pointer + "/calibration/" + e.getKey());
            }
            try {
                QuantizationSpec spec = QuantizationSpec.defaults(scheme).withAll(params);
                if (!specs.add(spec.sha256())) {
                    error(pointer, "the same " + scheme.id() + " spec is listed twice");
                }
                Variant.WorkerKind worker = "gpu".equals(v.path("worker").asText("cpu")) ? Variant.WorkerKind.GPU : Variant.WorkerKind.CPU;
                boolean fallback = v.has("fallback");
                if (fallback && worker == Variant.WorkerKind.CPU) {
                    error(pointer + "/fallback", "fallback: cpu only means something for worker: gpu");
                }
                out.add(new Variant(spec, worker, fallback));
            } catch (InvalidSpecException e) {
                String at = pointers.getOrDefault(e.field(), pointer);
                String message = e.getMessage().replaceFirst("^invalid quantization spec: " + Pattern.quote(e.field()) + ": ", "");
                error(at, message);
            }
        }
        return out;
    }

    private List<Rule> rules(JsonNode array) {
        List<Rule> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode r = array.get(i);
            String id = r.get("id").asText();
            if (!ids.add(id)) {
                error("/spec/rules/" + i + "/id", "rule id '" + id + "' is used twice");
            }
            JsonNode scope = r.path("per_group");
            Rule.GroupScope perGroup = scope.isMissingNode() ? null
                    : scope.isTextual() ? Rule.GroupScope.everyGroup() : new Rule.GroupScope(false, strings(scope));
            JsonNode value = r.path("value");
            JsonNode change = r.path("change");
            out.add(new Rule(id,
                    r.has("metric") ? r.get("metric").asText() : null,
                    perGroup,
                    "ci".equals(r.path("bound").asText("point")) ? Rule.Bound.CI : Rule.Bound.POINT,
                    value.isMissingNode() ? null : new Rule.ValueBounds(number(value, "min"), number(value, "max")),
                    change.isMissingNode() ? null : new Rule.ChangeBounds(number(change, "max_decrease"),
                            number(change, "max_increase"), number(change, "max_ratio")),
                    r.has("require") ? r.get("require").asText() : null,
                    r.has("cel") ? r.get("cel").asText() : null));
        }
        return out;
    }

    private static Approvals approvals(JsonNode node) {
        if (node.isMissingNode()) {
            return Approvals.DEFAULT;
        }
        return new Approvals(node.path("required").asInt(Approvals.DEFAULT.required()),
                node.has("roles") ? strings(node.get("roles")) : Approvals.DEFAULT.roles(),
                node.path("not_requester").asBoolean(Approvals.DEFAULT.notRequester()));
    }

    private Optional<Waivers> waivers(JsonNode node) {
        JsonNode max = node.path("max_duration");
        if (max.isMissingNode()) {
            return Optional.empty();
        }
        try {
            Duration d = Duration.parse(max.asText());
            if (d.isZero() || d.isNegative()) {
                error("/spec/waivers/max_duration", "'" + max.asText() + "' is not a positive duration");
                return Optional.empty();
            }
            return Optional.of(new Waivers(d));
        } catch (DateTimeParseException e) {
            error("/spec/waivers/max_duration", "'" + max.asText() + "' is not an ISO-8601 duration such as P30D or PT12H");
            return Optional.empty();
        }
    }

    private static Double number(JsonNode node, String field) {
        return node.has(field) ? node.get(field).doubleValue() : null;
    }

    private static String scalar(JsonNode node) {
        return node.isNumber() ? Jcs.write(node) : node.asText();
    }

    private static Object value(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            return strings(node);
        }
        return node.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private void error(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        errors.add(new PolicyError(file, at.line(), at.column(), YamlDocument.fieldOf(pointer), message));
    }
}
