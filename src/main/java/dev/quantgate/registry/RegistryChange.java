package dev.quantgate.registry;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A change the registry mirror made, published for the planner, the gate and anything else that
 * reacts to the registry. One record per kind; observe them all ({@code RegistryChange}) or one
 * kind ({@code RegistryChange.AliasMoved}).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Published with {@code Event<RegistryChange>.fire(...)}, synchronously, <em>inside</em> the
 *       mirror's transaction, right after the mirror rows and the audit event of the change are
 *       written, and in the order the changes were made. Every mirror change to one model is
 *       serialised on that model's row, so observers see one model's changes in order.</li>
 *   <li>Exactly once per change: an event whose effect is already in the mirror (a redelivered
 *       webhook, the poller and a webhook reporting the same change) publishes nothing.
 *       A rolled-back transaction un-publishes nothing, though: observers that must see only
 *       committed changes observe with {@code @Observes(during = TransactionPhase.AFTER_SUCCESS)}
 *       (the planner enqueuing jobs, the gate reverting a direct alias set through the outbox). Those run
 *       after the commit, in no promised order among the changes of one transaction (the container
 *       calls them as transaction synchronisations): each change carries what its observer needs.</li>
 *   <li>A plain {@code @Observes} observer runs in the mirror's transaction: what it writes commits
 *       or rolls back with the change, and an exception it throws rolls the change back (the delivery
 *       is then retried or parked). Such an observer must be quick and must not call the network.</li>
 *   <li>{@link #origin()} tells who made the change: an MLflow webhook delivery (with its id), the
 *       poller, or QuantGate's own write (the gate, through the outbox); {@link #at()} is when MLflow
 *       says it happened (see {@link RegistryEvent#occurredAt()}).</li>
 * </ul>
 * Versions are MLflow's strings ("1", "2", ...).
 */
public sealed interface RegistryChange {

    /** The registered model the change is about. */
    String model();

    /** Who made the change. */
    Origin origin();

    /** When MLflow says it happened. */
    Instant at();

    /**
     * Who made a change.
     *
     * @param kind      webhook delivery, poll, or QuantGate's own write
     * @param reference the delivery id for {@link Kind#WEBHOOK}, the writer's name for {@link Kind#QUANTGATE},
     *                  {@code null} for {@link Kind#POLL}
     */
    record Origin(Kind kind, String reference) {

        public enum Kind { WEBHOOK, POLL, QUANTGATE }

        public Origin {
            Objects.requireNonNull(kind, "kind");
        }

        /** Reads a {@link RegistryEvent#origin()}: {@code webhook:<delivery id>}, {@code poller}, anything else. */
        public static Origin of(String origin) {
            if (origin.startsWith("webhook:")) {
                return new Origin(Kind.WEBHOOK, origin.substring("webhook:".length()));
            }
            if (origin.equals("poller") || origin.startsWith("poller:")) {
                return new Origin(Kind.POLL, null);
            }
            return new Origin(Kind.QUANTGATE, origin);
        }
    }

    /** A registered model appeared in the mirror. */
    record ModelRegistered(String model, String description, Map<String, String> tags, Origin origin, Instant at)
            implements RegistryChange {
        public ModelRegistered {
            tags = Map.copyOf(tags);
        }
    }

    /** A registered model's description changed ({@code previous} null: it had none). */
    record ModelDescriptionChanged(String model, String description, String previous, Origin origin, Instant at)
            implements RegistryChange {
    }

    /** A registered-model tag was set ({@code previous} null: it is new). */
    record ModelTagSet(String model, String key, String value, String previous, Origin origin, Instant at)
            implements RegistryChange {
    }

    /** A registered-model tag was deleted. */
    record ModelTagDeleted(String model, String key, String previous, Origin origin, Instant at)
            implements RegistryChange {
    }

    /** The whole registered model is gone from MLflow; its aliases were deleted first (each an {@link AliasDeleted}). */
    record ModelDeleted(String model, Origin origin, Instant at) implements RegistryChange {
    }

    /** A model version appeared in the mirror, with what MLflow (or the event) said of it. */
    record VersionRegistered(String model, String version, String source, String runId, String status,
                             Map<String, String> tags, Origin origin, Instant at) implements RegistryChange {
        public VersionRegistered {
            tags = Map.copyOf(tags);
        }
    }

    /** A model version's registration finished: its status is {@code READY} (at registration, or later). */
    record VersionReady(String model, String version, Origin origin, Instant at) implements RegistryChange {
    }

    /** A version's status or description changed (either may be unchanged). */
    record VersionUpdated(String model, String version, String status, String previousStatus, String description,
                          Origin origin, Instant at) implements RegistryChange {
    }

    /** A model version is gone from MLflow. */
    record VersionDeleted(String model, String version, Origin origin, Instant at) implements RegistryChange {
    }

    /** A model-version tag was set ({@code previous} null: it is new). */
    record TagSet(String model, String version, String key, String value, String previous, Origin origin, Instant at)
            implements RegistryChange {
    }

    /** A model-version tag was deleted. */
    record TagDeleted(String model, String version, String key, String previous, Origin origin, Instant at)
            implements RegistryChange {
    }

    /** An alias that pointed nowhere now points at {@code version}. */
    record AliasSet(String model, String alias, String version, Origin origin, Instant at) implements RegistryChange {
    }

    /** An alias moved from {@code previousVersion} to {@code version}. */
    record AliasMoved(String model, String alias, String version, String previousVersion, Origin origin, Instant at)
            implements RegistryChange {
    }

    /** An alias was deleted; it pointed at {@code previousVersion}. */
    record AliasDeleted(String model, String alias, String previousVersion, Origin origin, Instant at)
            implements RegistryChange {
    }

    /** A version's legacy stage changed (e.g. to {@code Production}). */
    record StageChanged(String model, String version, String stage, String previousStage, Origin origin, Instant at)
            implements RegistryChange {
    }
}
