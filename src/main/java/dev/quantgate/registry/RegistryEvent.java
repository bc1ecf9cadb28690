package dev.quantgate.registry;

import java.time.Instant;
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
 * @param value      tag value for TAG_SET, stage name for STAGE_CHANGED, description for
 *                   MODEL_CREATED/VERSION_CREATED when the source carried one, otherwise {@code null}
 * @param occurredAt when MLflow says the change happened (webhook timestamp, or poll time)
 * @param origin     "webhook:&lt;delivery id&gt;" or "poller"
 */
public record RegistryEvent(
        Kind kind, String model, String version, String key, String value, Instant occurredAt, String origin) {

    public enum Kind {
        MODEL_CREATED,
        VERSION_CREATED,
        VERSION_TAG_SET,
        VERSION_TAG_DELETED,
        ALIAS_SET,
        ALIAS_DELETED,
        STAGE_CHANGED
    }

    public RegistryEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(origin, "origin");
    }
}
