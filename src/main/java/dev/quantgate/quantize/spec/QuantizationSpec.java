package dev.quantgate.quantize.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A quantization spec: the scheme and every one of its parameters, explicit. Its canonical JSON
 * (sorted keys, one number format) is hashed with SHA-256 to give the spec's identity. Build one
 * from a scheme's defaults ({@link #defaults(Scheme)}) and override with {@link #with(String, Object)}
 * or {@link #parse(String)}; every instance is validated.
 */
public final class QuantizationSpec {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Scheme scheme;
    private final SortedMap<String, Object> params;

    private QuantizationSpec(Scheme scheme, SortedMap<String, Object> params) {
        this.scheme = scheme;
        this.params = Collections.unmodifiableSortedMap(params);
        SpecRules.validate(this);
    }

    /** The configuration {@code --scheme X} means with no other option. */
    public static QuantizationSpec defaults(Scheme scheme) {
        return new QuantizationSpec(scheme, new TreeMap<>(SpecRules.defaults(scheme)));
    }

    /** Parses spec JSON: {@code scheme} is required, every other key overrides that scheme's default. */
    public static QuantizationSpec parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidSpecException("(json)", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidSpecException("(json)", "a spec is a JSON object");
        }
        JsonNode schemeNode = root.get("scheme");
        if (schemeNode == null || !schemeNode.isTextual()) {
            throw new InvalidSpecException("scheme", "missing (one of fp16, int8-dynamic, int8-static, int4-weight-only)");
        }
        QuantizationSpec spec = defaults(Scheme.fromId(schemeNode.asText()));
        Map<String, Object> overrides = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("scheme")) {
                overrides.put(e.getKey(), fromJson(e.getKey(), e.getValue()));
            }
        }
        return spec.withAll(overrides);
    }

    private static Object fromJson(String field, JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode n : node) {
                if (!n.isTextual()) {
                    throw new InvalidSpecException(field, "expected a list of strings");
                }
                out.add(n.textValue());
            }
            return out;
        }
        throw new InvalidSpecException(field, "unsupported JSON value " + node);
    }

    /** A copy with one parameter changed (validated; an unknown key or a wrong type is rejected). */
    public QuantizationSpec with(String key, Object value) {
        return withAll(Map.of(key, value));
    }

    public QuantizationSpec withAll(Map<String, ?> overrides) {
        SortedMap<String, Object> copy = new TreeMap<>(params);
        overrides.forEach((k, v) -> copy.put(k, SpecRules.coerce(scheme, k, v)));
        return new QuantizationSpec(scheme, copy);
    }

    public Scheme scheme() {
        return scheme;
    }

    /** Every parameter, including {@code scheme}, in canonical order. */
    public SortedMap<String, Object> asMap() {
        SortedMap<String, Object> all = new TreeMap<>(params);
        all.put("scheme", scheme.id());
        return all;
    }

    public String toCanonicalJson() {
        return CanonicalJson.write(asMap());
    }

    /** SHA-256 (hex) of the canonical JSON: the spec's identity. */
    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(toCanonicalJson().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean has(String key) {
        return params.containsKey(key);
    }

    public boolean bool(String key) {
        return (Boolean) require(key);
    }

    public long integer(String key) {
        return ((Number) require(key)).longValue();
    }

    public double number(String key) {
        return ((Number) require(key)).doubleValue();
    }

    public String string(String key) {
        return (String) require(key);
    }

    @SuppressWarnings("unchecked")
    public List<String> strings(String key) {
        return (List<String>) require(key);
    }

    private Object require(String key) {
        Object v = params.get(key);
        if (v == null) {
            throw new IllegalArgumentException(scheme.id() + " has no parameter " + key);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizationSpec other && other.toCanonicalJson().equals(toCanonicalJson());
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
