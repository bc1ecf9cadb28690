package dev.quantgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.quantgate.evaluation.dataset.Suggestions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The published JSON Schema of policy files ({@value #RESOURCE}, draft 2020-12), checked with the
 * networknt validator. Each violation becomes a {@link PolicyError} naming the field and, through the
 * document's node locations, the line.
 */
public final class PolicySchema {

    /** Classpath location of the schema; the same bytes are served at {@code GET /api/v1/policies/schema}. */
    public static final String RESOURCE = "policy/quantization-policy.schema.json";

    private static final PolicySchema INSTANCE = new PolicySchema();

    private final String text;
    private final JsonNode schemaNode;
    private final JsonSchema schema;

    private PolicySchema() {
        try (InputStream in = PolicySchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            schemaNode = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ROOT)
                .build();
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaNode, config);
    }

    public static PolicySchema get() {
        return INSTANCE;
    }

    /** The schema as shipped. */
    public String text() {
        return text;
    }

    /** Every schema violation in the document, ordered by line; empty when it conforms. */
    public List<PolicyError> validate(String file, YamlDocument document) {
        List<PolicyError> errors = new ArrayList<>();
        // alternatives (anyOf/oneOf) fail branch by branch: one error per alternative group, not per branch
        Map<String, List<ValidationMessage>> alternatives = new LinkedHashMap<>();
        for (ValidationMessage m : schema.validate(document.root())) {
            String group = alternativeGroup(m);
            if (group != null) {
                alternatives.computeIfAbsent(group, k -> new ArrayList<>()).add(m);
            } else {
                errors.add(error(file, document, m));
            }
        }
        for (List<ValidationMessage> group : alternatives.values()) {
            errors.add(alternativesError(file, document, group));
        }
        errors.sort(Comparator.comparingInt(PolicyError::line).thenComparingInt(PolicyError::column)
                .thenComparing(PolicyError::field).thenComparing(PolicyError::message));
        return errors;
    }

    private PolicyError error(String file, YamlDocument document, ValidationMessage m) {
        List<Object> at = segments(m.getInstanceLocation());
        String message;
        switch (m.getType()) {
            case "additionalProperties" -> {
                at.add(m.getProperty());
                List<String> known = knownProperties(m);
                String closest = Suggestions.closest(m.getProperty(), known);
                message = "unknown field '" + m.getProperty() + "'"
                        + (closest != null ? " (did you mean '" + closest + "'?)" : "")
                        + (known.isEmpty() ? "" : "; allowed here: " + String.join(", ", known));
            }
            case "required" -> {
                YamlDocument.Location parent = document.locate(YamlDocument.pointer(at));
                at.add(m.getProperty());
                return new PolicyError(file, parent.line(), parent.column(), YamlDocument.fieldPath(at),
                        "missing required field '" + m.getProperty() + "'");
            }
            case "enum" -> message = "'" + text(m.getInstanceNode()) + "' is not one of " + values(m.getSchemaNode());
            case "const" -> message = "must be '" + text(m.getSchemaNode()) + "', was '" + text(m.getInstanceNode()) + "'";
            case "pattern" -> message = "'" + text(m.getInstanceNode()) + "' " + plain(m) + describe(m);
            default -> message = plain(m);
        }
        YamlDocument.Location where = document.locate(YamlDocument.pointer(at));
        return new PolicyError(file, where.line(), where.column(), YamlDocument.fieldPath(at), message);
    }

    /** The instance and the anyOf/oneOf keyword this message comes from, or null when it is not about alternatives. */
    private static String alternativeGroup(ValidationMessage m) {
        String path = m.getEvaluationPath().toString();
        int cut = Math.max(path.lastIndexOf("/anyOf"), path.lastIndexOf("/oneOf"));
        if (cut < 0) {
            return null;
        }
        String keyword = path.substring(0, cut + 6);
        return m.getInstanceLocation() + " " + keyword;
    }

    private PolicyError alternativesError(String file, YamlDocument document, List<ValidationMessage> group) {
        List<Object> at = segments(group.get(0).getInstanceLocation());
        YamlDocument.Location where = document.locate(YamlDocument.pointer(at));
        List<String> missing = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (ValidationMessage m : group) {
            if ("required".equals(m.getType())) {
                missing.add(m.getProperty());
            } else if (!"anyOf".equals(m.getType()) && !"oneOf".equals(m.getType())) {
                other.add(error(file, document, m).message());
            }
        }
        String message = !missing.isEmpty() && other.isEmpty()
                ? "needs at least one of " + String.join(", ", missing)
                : other.isEmpty() ? plain(group.get(0)) : String.join(", or ", other);
        return new PolicyError(file, where.line(), where.column(), YamlDocument.fieldPath(at), message);
    }

    private static List<Object> segments(JsonNodePath path) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < path.getNameCount(); i++) {
            out.add(path.getElement(i));
        }
        return out;
    }

    /** The property names the schema object around an {@code additionalProperties: false} allows. */
    private List<String> knownProperties(ValidationMessage m) {
        JsonNode node = schemaNode;
        JsonNodePath fragment = m.getSchemaLocation().getFragment();
        for (int i = 0; i < fragment.getNameCount() - 1 && node != null; i++) {
            Object e = fragment.getElement(i);
            node = e instanceof Integer index ? node.get(index) : node.get(e.toString());
        }
        List<String> names = new ArrayList<>();
        if (node != null && node.has("properties")) {
            for (Iterator<String> it = node.get("properties").fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
        }
        return names;
    }

    /** The validator's sentence without its leading location. */
    private static String plain(ValidationMessage m) {
        String error = m.getError();
        if (error == null) {
            error = m.getMessage();
            int colon = error.indexOf(": ");
            if (colon >= 0) {
                error = error.substring(colon + 2);
            }
        }
        return error;
    }

    private String describe(ValidationMessage m) {
        JsonNodePath fragment = m.getSchemaLocation().getFragment();
        JsonNode node = schemaNode;
        for (int i = 0; i < fragment.getNameCount() - 1 && node != null; i++) {
            Object e = fragment.getElement(i);
            node = e instanceof Integer index ? node.get(index) : node.get(e.toString());
        }
        return node != null && node.has("description") ? " (" + node.get("description").asText() + ")" : "";
    }

    private static String text(JsonNode node) {
        return node == null ? "null" : node.isTextual() ? node.textValue() : node.toString();
    }

    private static String values(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> out.add(text(v)));
        }
        return out.stream().collect(Collectors.joining(", "));
    }
}
