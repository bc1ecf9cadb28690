package dev.quantgate.registry;

/**
 * Applies registry events to the mirror. Implementations must be idempotent: applying an event
 * whose effect is already in the mirror changes nothing and appends no audit event, which is how
 * a webhook and the poller reporting the same change are processed once.
 *
 * <p>Called inside the caller's transaction; throwing rolls it back, and the caller retries
 * (for example when MLflow cannot be reached to complete the state the event only partly carries).
 */
public interface RegistryEventSink {

    /** @return the number of mirror changes the event caused (0 when it was already applied) */
    int apply(RegistryEvent event);
}
