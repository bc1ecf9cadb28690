package dev.quantgate.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into a Jackson tree together with the line and column where each node
 * starts, keyed by JSON pointer ({@code /spec/variants/1/block_size}); an object member is located at
 * its key. Schema errors name a pointer; {@link #locate(String)} turns it back into a line.
 */
public final class YamlDocument {

    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    /** A 1-based line and column. */
    public record Location(int line, int column) {
    }

    private final JsonNode root;
    private final Map<String, Location> locations;

    private YamlDocument(JsonNode root, Map<String, Location> locations) {
        this.root = root;
        this.locations = locations;
    }

    /** Parses one YAML document; syntax errors, duplicate keys, an empty file or a second document are refused. */
    public static YamlDocument parse(String file, byte[] bytes) throws PolicyFileException {
        Map<String, Location> locations = new HashMap<>();
        try (JsonParser parser = YAML.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw refuse(file, 1, 1, "", "the file is empty; a policy is a YAML mapping with apiVersion, kind, metadata and spec");
            }
            JsonNode root = read(file, parser, "", locations);
            if (parser.nextToken() != null) {
                Location at = location(parser.currentTokenLocation());
                throw refuse(file, at.line(), at.column(), "", "a second YAML document; put one policy in each file");
            }
            return new YamlDocument(root, locations);
        } catch (JsonProcessingException e) {
            throw syntaxError(file, e);
        } catch (IOException e) {
            throw refuse(file, 1, 1, "", "cannot be read: " + e.getMessage());
        }
    }

    public JsonNode root() {
        return root;
    }

    /** Where the node at this pointer starts, or its nearest located ancestor; line 1 when nothing is known. */
    public Location locate(String pointer) {
        String p = pointer;
        while (true) {
            Location at = locations.get(p);
            if (at != null) {
                return at;
            }
            if (p.isEmpty()) {
                return new Location(1, 1);
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    /** A JSON pointer as a field path: {@code /spec/variants/1/block_size} is {@code spec.variants[1].block_size}. */
    public static String fieldPath(List<Object> segments) {
        StringBuilder out = new StringBuilder();
        for (Object s : segments) {
            if (s instanceof Integer i) {
                out.append('[').append(i).append(']');
            } else {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(s);
            }
        }
        return out.toString();
    }

    /** A JSON pointer as a field path; numeric segments read as array indices. */
    public static String fieldOf(String pointer) {
        List<Object> segments = new ArrayList<>();
        if (!pointer.isEmpty()) {
            for (String s : pointer.substring(1).split("/", -1)) {
                String name = s.replace("~1", "/").replace("~0", "~");
                segments.add(name.matches("\\d{1,9}") ? (Object) Integer.valueOf(name) : name);
            }
        }
        return fieldPath(segments);
    }

    /** The JSON pointer of these segments. */
    public static String pointer(List<Object> segments) {
        StringBuilder out = new StringBuilder();
        for (Object s : segments) {
            out.append('/').append(s.toString().replace("~", "~0").replace("/", "~1"));
        }
        return out.toString();
    }

    private static JsonNode read(String file, JsonParser p, String pointer, Map<String, Location> locations)
            throws IOException, PolicyFileException {
        JsonToken token = p.currentToken();
        locations.putIfAbsent(pointer, location(p.currentTokenLocation()));
        switch (token) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    String child = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
                    Location at = location(p.currentTokenLocation());
                    if (object.has(name)) {
                        Location first = locations.get(child);
                        throw refuse(file, at.line(), at.column(), fieldOf(child),
                                "duplicate key '" + name + "' (first on line " + first.line() + ")");
                    }
                    locations.put(child, at);
                    p.nextToken();
                    object.set(name, read(file, p, child, locations));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(file, p, pointer + "/" + i, locations));
                    i++;
                }
                return array;
            }
            case VALUE_STRING -> {
                return NODES.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return NODES.numberNode(p.getDecimalValue());
            }
            case VALUE_TRUE -> {
                return NODES.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return NODES.booleanNode(false);
            }
            case VALUE_NULL -> {
                return NODES.nullNode();
            }
            default -> {
                Location at = location(p.currentTokenLocation());
                throw refuse(file, at.line(), at.column(), "", "unsupported YAML content (" + token + ")");
            }
        }
    }

    private static PolicyFileException syntaxError(String file, JsonProcessingException e) {
        Throwable cause = e.getCause();
        if (cause instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            String problem = yaml.getProblem() == null ? "invalid YAML" : yaml.getProblem();
            String context = yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")";
            return refuse(file, yaml.getProblemMark().getLine() + 1, yaml.getProblemMark().getColumn() + 1, "",
                    "YAML syntax error: " + problem + context);
        }
        JsonLocation at = e.getLocation();
        int line = at == null ? 1 : Math.max(1, at.getLineNr());
        int column = at == null ? 1 : Math.max(1, at.getColumnNr());
        return refuse(file, line, column, "", "YAML syntax error: " + e.getOriginalMessage());
    }

    private static Location location(JsonLocation at) {
        return new Location(Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()));
    }

    private static PolicyFileException refuse(String file, int line, int column, String field, String message) {
        return new PolicyFileException(List.of(new PolicyError(file, line, column, field, message)));
    }
}
