package dev.quantgate.mlflow.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.JsonLimits;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEvent.Kind;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One MLflow webhook body, {@code {"entity", "action", "timestamp", "data": {...}}}, and its
 * translation into a {@link RegistryEvent}. Event types MLflow may add later (or prompt events)
 * translate to nothing: they are stored and ignored, never refused.
 *
 * @param entity     lower case, e.g. {@code model_version_alias}
 * @param action     lower case, e.g. {@code created}
 * @param model      {@code data.name}, or {@code null} when the body names no model
 * @param data       the {@code data} object
 * @param occurredAt the body's {@code timestamp}, or {@code null} when absent
 */
public record MlflowDelivery(String entity, String action, String model, JsonNode data, Instant occurredAt) {

    private static final ObjectMapper JSON = new ObjectMapper(JsonLimits.newFactory());

    /** Parses and checks a body already authenticated by its signature. */
    public static MlflowDelivery parse(byte[] body) throws MalformedDeliveryException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (StreamConstraintsException e) {
            throw new MalformedDeliveryException("malformed_json", JsonLimits.describe());
        } catch (JsonProcessingException e) {
            throw new MalformedDeliveryException("malformed_json", e.getLocation() == null
                    ? "The body is not well-formed JSON"
                    : "The body is not well-formed JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // Never let a body escape as an uncaught exception on the event loop.
            throw new MalformedDeliveryException("malformed_json", "The body is not well-formed JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedDeliveryException("malformed_json", "The body is not a JSON object");
        }
        String entity = text(root, "entity");
        String action = text(root, "action");
        if (entity == null || action == null) {
            throw new MalformedDeliveryException("invalid_payload",
                    "The body lacks the string fields 'entity' and 'action' that every MLflow delivery carries");
        }
        JsonNode data = root.get("data");
        if (data != null && !data.isNull() && !data.isObject()) {
            throw new MalformedDeliveryException("invalid_payload", "'data' is not a JSON object");
        }
        Instant occurredAt = null;
        String timestamp = text(root, "timestamp");
        if (timestamp != null) {
            try {
                occurredAt = OffsetDateTime.parse(timestamp).toInstant();
            } catch (DateTimeParseException e) {
                throw new MalformedDeliveryException("invalid_payload",
                        "'timestamp' is not an ISO-8601 date-time: '" + abbreviate(timestamp) + "'");
            }
        }
        MlflowDelivery delivery = new MlflowDelivery(entity, action,
                data == null ? null : text(data, "name"), data, occurredAt);
        delivery.toEvent("check", Instant.EPOCH); // refuses a known event type without its required fields
        return delivery;
    }

    /** {@code entity.action}, e.g. {@code model_version.created}. */
    public String eventType() {
        return entity + "." + action;
    }

    /**
     * The registry event this delivery reports, or empty for an event type QuantGate does not consume.
     *
     * @param deliveryId  {@code X-MLflow-Delivery-Id}, recorded as the event's origin
     * @param receivedAt  the time used when the body carries no timestamp
     */
    public Optional<RegistryEvent> toEvent(String deliveryId, Instant receivedAt) throws MalformedDeliveryException {
        Kind kind = kind();
        if (kind == null) {
            return Optional.empty();
        }
        String name = require("name");
        Instant at = occurredAt != null ? occurredAt : receivedAt;
        String origin = "webhook:" + deliveryId;
        RegistryEvent event = switch (kind) {
            case MODEL_CREATED -> new RegistryEvent(kind, name, null, null, blankToNull(text(data, "description")), at,
                    origin, new RegistryEvent.Carried(null, null, null, null, null, tags(), false));
            case VERSION_CREATED -> new RegistryEvent(kind, name, require("version"), null,
                    blankToNull(text(data, "description")), at, origin, new RegistryEvent.Carried(
                    blankToNull(text(data, "source")), blankToNull(text(data, "run_id")), null, null, null, tags(),
                    false));
            case VERSION_TAG_SET -> new RegistryEvent(kind, name, require("version"), require("key"),
                    requirePresent("value"), at, origin);
            case VERSION_TAG_DELETED -> new RegistryEvent(kind, name, require("version"), require("key"), null, at, origin);
            case ALIAS_SET -> new RegistryEvent(kind, name, require("version"), require("alias"), null, at, origin);
            case ALIAS_DELETED -> new RegistryEvent(kind, name, null, require("alias"), null, at, origin);
            default -> throw new IllegalStateException("MLflow sends no webhook for " + kind);
        };
        return Optional.of(event);
    }

    private Kind kind() {
        return switch (eventType()) {
            case "registered_model.created" -> Kind.MODEL_CREATED;
            case "model_version.created" -> Kind.VERSION_CREATED;
            case "model_version_tag.set" -> Kind.VERSION_TAG_SET;
            case "model_version_tag.deleted" -> Kind.VERSION_TAG_DELETED;
            case "model_version_alias.created" -> Kind.ALIAS_SET;
            case "model_version_alias.deleted" -> Kind.ALIAS_DELETED;
            default -> null;
        };
    }

    /** {@code data.tags} as MLflow sends it on creation events: an object of string values. */
    private Map<String, String> tags() {
        Map<String, String> tags = new LinkedHashMap<>();
        JsonNode node = data == null ? null : data.get("tags");
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                    tags.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return tags;
    }

    private String require(String field) throws MalformedDeliveryException {
        String value = data == null ? null : text(data, field);
        if (value == null || value.isEmpty()) {
            throw new MalformedDeliveryException("invalid_payload",
                    "A " + eventType() + " delivery needs a non-empty string 'data." + field + "'");
        }
        return value;
    }

    private String requirePresent(String field) throws MalformedDeliveryException {
        String value = data == null ? null : text(data, field);
        if (value == null) {
            throw new MalformedDeliveryException("invalid_payload",
                    "A " + eventType() + " delivery needs a string 'data." + field + "'");
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
