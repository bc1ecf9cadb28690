package dev.quantgate.gate.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.gate.Target;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A call through the proxy that would move an alias or a stage: {@code POST registered-models/alias} (set an alias),
 * {@code POST model-versions/transition-stage}, or {@code POST registered-models/rename} (which carries a model's
 * aliases and stages to a new name, and so past the policy that selects either name), under
 * {@code /api/<v>/mlflow/} or {@code /ajax-api/<v>/mlflow/}.
 * The path is matched as MLflow's server routes it (percent escapes decoded, repeated slashes merged, dot segments
 * resolved), so a spelling of the same route cannot slip past; the body is read as MLflow reads it (JSON whatever
 * the content type), and a body it cannot read is refused in MLflow's own words, never forwarded.
 */
record GuardedCall(String model, String version, Target target) {

    enum Kind { SET_ALIAS, TRANSITION_STAGE, RENAME }

    /** {@code POST registered-models/rename}: the model's aliases and stages go with it to the new name. */
    record Rename(String name, String newName) {
    }

    /** A body the gate cannot judge: answered 400 {@code INVALID_PARAMETER_VALUE} with this message. */
    static final class BadCall extends Exception {
        BadCall(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern ROUTE = Pattern.compile(
            "^/(?:api|ajax-api)/[^/]+/mlflow/(registered-models/alias|model-versions/transition-stage"
                    + "|registered-models/rename)/?$");
    /** MLflow's stage names; it accepts them in any case and stores them like this. */
    private static final List<String> STAGES = List.of("None", "Staging", "Production", "Archived");
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Which guarded call a request is, from its method and raw path; empty for every other request. */
    static Optional<Kind> match(String method, String rawPath) {
        if (!"POST".equals(method)) {
            return Optional.empty();
        }
        String path = normalise(rawPath);
        Matcher m = path == null ? null : ROUTE.matcher(path);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        return Optional.of(switch (m.group(1)) {
            case "registered-models/alias" -> Kind.SET_ALIAS;
            case "registered-models/rename" -> Kind.RENAME;
            default -> Kind.TRANSITION_STAGE;
        });
    }

    /** A rename's model and new name, read from its JSON body. */
    static Rename parseRename(byte[] body) throws BadCall {
        JsonNode root = object(body);
        return new Rename(required(root, "name"), required(root, "new_name"));
    }

    /** The call's model, version and target, read from its JSON body. */
    static GuardedCall parse(Kind kind, byte[] body) throws BadCall {
        JsonNode root = object(body);
        String model = required(root, "name");
        String version = version(required(root, "version"));
        try {
            Target target = kind == Kind.SET_ALIAS ? new Target(Target.Kind.ALIAS, required(root, "alias"))
                    : new Target(Target.Kind.STAGE, stage(required(root, "stage")));
            return new GuardedCall(model, version, target);
        } catch (ApiException e) {
            throw new BadCall(e.getMessage());
        }
    }

    /** The body as MLflow reads it: JSON, an object (an empty body is an empty object). */
    private static JsonNode object(byte[] body) throws BadCall {
        JsonNode root;
        try {
            root = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadCall("Malformed JSON request body: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new BadCall("Unreadable request body");
        }
        if (root == null || !root.isObject()) {
            throw new BadCall("The request body must be a JSON object");
        }
        return root;
    }

    private static String required(JsonNode root, String field) throws BadCall {
        JsonNode v = root.get(field);
        if (v == null || v.isNull() || v.isTextual() && v.asText().isEmpty()) {
            throw new BadCall("Missing value for required parameter '" + field
                    + "'. See the API docs for more information about request parameters.");
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw new BadCall("Invalid value " + v + " for parameter '" + field + "' supplied.");
        }
        return v.asText();
    }

    /** {@code "02"} is version 2 to MLflow, so it is to the gate. */
    private static String version(String text) {
        return text.matches("\\d{1,18}") ? new BigInteger(text).toString() : text;
    }

    private static String stage(String text) {
        return STAGES.stream().filter(s -> s.equalsIgnoreCase(text)).findFirst().orElse(text);
    }

    /** The path as routed: escapes decoded (UTF-8), repeated slashes merged, dot segments resolved; null if malformed. */
    static String normalise(String rawPath) {
        String decoded = decode(rawPath);
        if (decoded == null) {
            return null;
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String s : decoded.split("/+", -1)) {
            if (s.equals("..")) {
                segments.pollLast();
            } else if (!s.equals(".") && !s.isEmpty()) {
                segments.addLast(s);
            }
        }
        String joined = "/" + String.join("/", segments);
        return decoded.endsWith("/") && !segments.isEmpty() ? joined + "/" : joined;
    }

    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
