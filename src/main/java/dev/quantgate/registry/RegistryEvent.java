package dev.quantgate.registry;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One change in the MLflow model registry, as QuantGate's mirror consumes it.
 *
 * <p>Both paths produce these: the webhook inbox (translated from an MLflow delivery) and the
 * poller (diffing MLflow's search results with the mirror). Consumers cannot and must not tell
 * which path an event came from, except through {@link #origin()} which exists for the audit trail.
 *
 * @param kind       what changed
 * @param model      registered model name (always present)
 * @param version    model version ("1", "2", ...) or {@code null} for model-level events
 * @param key        alias name for alias events, tag key for tag events, otherwise {@code null}
 * @param value      tag value for tag sets, stage name for STAGE_CHANGED, description for
 *                   MODEL_CREATED/MODEL_UPDATED/VERSION_CREATED/VERSION_UPDATED when the source
 *                   carried one, otherwise {@code null}
 * @param occurredAt when MLflow says the change happened (webhook timestamp, MLflow's
 *                   {@code last_updated_timestamp} where it has one, or the poll's time)
 * @param origin     "webhook:&lt;delivery id&gt;", "poller", or another name for QuantGate's own writes
 * @param carried    what else the source carried (a delivery's source, run id and creation tags; a
 *                   poll's whole state); never {@code null}
 */
public record RegistryEvent(
        Kind kind, String model, String version, String key, String value, Instant occurredAt, String origin,
        Carried carried) {

    public enum Kind {
        MODEL_CREATED,
        /** The registered model's description changed (the poller; MLflow sends no webhook). */
        MODEL_UPDATED,
        MODEL_TAG_SET,
        MODEL_TAG_DELETED,
        /** The whole registered model is gone from MLflow (the poller; MLflow sends no webhook). */
        MODEL_DELETED,
        VERSION_CREATED,
        /** A version's status or description changed ({@link Carried#status()}, {@code value}). */
        VERSION_UPDATED,
        /** A version is gone from MLflow (the poller; MLflow sends no webhook). */
        VERSION_DELETED,
        VERSION_TAG_SET,
        VERSION_TAG_DELETED,
        ALIAS_SET,
        ALIAS_DELETED,
        STAGE_CHANGED
    }

    /**
     * What an event carries beyond its kind, key and value.
     *
     * @param source    a version's artifact source
     * @param runId     a version's run
     * @param status    a version's status (e.g. READY)
     * @param stage     a version's legacy stage
     * @param createdAt MLflow's creation time of the model or version
     * @param tags      a version's (or, on model events, the model's) tags at creation
     * @param complete  the event carries MLflow's whole state of what it creates (a poll read it all),
     *                  so the mirror needs to ask MLflow nothing
     */
    public record Carried(String source, String runId, String status, String stage, Instant createdAt,
                          Map<String, String> tags, boolean complete) {

        /** Nothing beyond kind, key and value. */
        public static final Carried NONE = new Carried(null, null, null, null, null, Map.of(), false);

        public Carried {
            tags = tags == null ? Map.of() : Map.copyOf(tags);
        }
    }

    public RegistryEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(origin, "origin");
        carried = carried == null ? Carried.NONE : carried;
    }

    /** An event that carries nothing beyond its kind, key and value. */
    public RegistryEvent(Kind kind, String model, String version, String key, String value, Instant occurredAt,
                         String origin) {
        this(kind, model, version, key, value, occurredAt, origin, Carried.NONE);
    }
}
