package dev.quantgate.registry;

/**
 * Applies registry events to the mirror. Implementations must be idempotent: applying an event
 * whose effect is already in the mirror changes nothing and appends no audit event, which is how
 * a webhook and the poller reporting the same change are processed once.
 *
 * <p>Two phases, so that no network call happens while a transaction holds locks:
 * {@link #prepare(RegistryEvent)} runs outside any transaction and may read MLflow (bounded in
 * time) for what the event does not carry; {@link #apply(Prepared)} runs inside the caller's short
 * transaction and only writes. Throwing from either rolls back nothing of the other; the caller
 * retries transient failures and parks permanent ones.
 */
public interface RegistryEventSink {

    /** What phase one gathered for an event. Opaque to callers: pass it back to {@link #apply(Prepared)}. */
    interface Prepared {
        RegistryEvent event();

        /**
         * Why the event will not be mirrored, when phase one found it should not be (e.g. MLflow says the
         * model does not exist: the example delivery of MLflow's "test webhook"). {@link #apply(Prepared)}
         * then changes nothing; the inbox marks such a delivery {@code ignored} with this reason.
         */
        default java.util.Optional<String> ignoredReason() {
            return java.util.Optional.empty();
        }
    }

    /** Phase one, outside any transaction. The default gathers nothing. */
    default Prepared prepare(RegistryEvent event) {
        return () -> event;
    }

    /** Phase two, inside the caller's transaction. @return the number of mirror changes the event caused */
    default int apply(Prepared prepared) {
        return apply(prepared.event());
    }

    /** Both phases in one call, inside the caller's transaction. @return the number of mirror changes (0 when already applied) */
    int apply(RegistryEvent event);
}
