package dev.quantgate.mlflow.outbox;

import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryMirror;
import dev.quantgate.registry.RegistryModelEntity;
import dev.quantgate.registry.RegistryVersionEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.util.Map;

/**
 * QuantGate's own alias and stage writes enter the mirror as soon as MLflow confirms them, in the transaction that
 * records the confirmation, instead of only when their echo webhook or the next poll reports them. A direct write
 * that MLflow reports before the echo of QuantGate's previous write to the same alias (MLflow sends webhooks from a
 * thread pool, and a failed delivery is retried later) is then seen as the move it is, and judged; the late echo
 * finds the mirror as it says, or is recognised as QuantGate's own. Only a model version the mirror holds is
 * touched; anything else waits for the echo or the poll. A stage transition that archives the other versions is
 * left to them too, since it moves versions the write does not name.
 */
@ApplicationScoped
public class ConfirmedWritesMirror {

    /** Origin of these events: a QuantGate writer, so that no guard judges QuantGate's own write again. */
    static final String ORIGIN = "outbox:";
    private static final RegistryEvent.Carried KNOWN = new RegistryEvent.Carried(null, null, null, null, null, Map.of(),
            true); // the mirror holds the version: nothing to ask MLflow inside this transaction

    private final RegistryMirror mirror;
    private final Clock clock;

    public ConfirmedWritesMirror(RegistryMirror mirror, Clock clock) {
        this.mirror = mirror;
        this.clock = clock;
    }

    void onConfirmed(@Observes WriteConfirmed confirmed) {
        RegistryEvent event = event(confirmed);
        if (event != null && mirrored(event.model(), event.version())) {
            mirror.apply(event);
        }
    }

    private RegistryEvent event(WriteConfirmed confirmed) {
        String origin = ORIGIN + confirmed.outboxId();
        if (confirmed.write() instanceof MlflowWrite.SetAlias s) {
            return new RegistryEvent(RegistryEvent.Kind.ALIAS_SET, s.model(), s.version(), s.alias(), null,
                    clock.instant(), origin, KNOWN);
        }
        if (confirmed.write() instanceof MlflowWrite.DeleteAlias d) {
            return new RegistryEvent(RegistryEvent.Kind.ALIAS_DELETED, d.model(), null, d.alias(), null,
                    clock.instant(), origin, KNOWN);
        }
        if (confirmed.write() instanceof MlflowWrite.TransitionStage t && !t.archiveExistingVersions()) {
            return new RegistryEvent(RegistryEvent.Kind.STAGE_CHANGED, t.model(), t.version(), null, t.stage(),
                    clock.instant(), origin, KNOWN);
        }
        return null;
    }

    private static boolean mirrored(String model, String version) {
        RegistryModelEntity m = RegistryModelEntity.findByName(model).filter(x -> x.deletedAt == null).orElse(null);
        if (m == null) {
            return false;
        }
        if (version == null) {
            return true;
        }
        try {
            return RegistryVersionEntity.findVersion(m.id, Integer.parseInt(version)).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
