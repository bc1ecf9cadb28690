package dev.quantgate.mlflow.outbox;

import dev.quantgate.kernel.AfterCommit;
import dev.quantgate.mlflow.client.MlflowApiException;
import dev.quantgate.mlflow.client.MlflowConfig;
import dev.quantgate.mlflow.client.MlflowException;
import dev.quantgate.mlflow.client.MlflowModel;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryMirror;
import dev.quantgate.registry.RegistryModelEntity;
import dev.quantgate.registry.RegistryVersionEntity;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * QuantGate's own alias and stage writes enter the mirror as soon as MLflow confirms them, in the transaction that
 * records the confirmation, instead of only when their echo webhook or the next poll reports them. A direct write
 * that MLflow reports before the echo of QuantGate's previous write to the same alias (MLflow sends webhooks from a
 * thread pool, and a failed delivery is retried later) is then seen as the move it is, and judged; the late echo
 * finds the mirror as it says, or is recognised as QuantGate's own. Only a model version the mirror holds is
 * touched; anything else waits for the echo or the poll. A stage transition that archives the other versions is
 * left to them too, since it moves versions the write does not name.
 *
 * <p>Once such an alias write is in the mirror, the alias is read back from MLflow, off the transaction: a direct
 * write that MLflow applied after QuantGate's and reported before QuantGate recorded MLflow's answer (its webhook then
 * found the mirror saying what it says, so nothing moved) is seen there and applied as a poll would apply it, so
 * the guards judge it now instead of at the next poll. {@code quantgate.mlflow.outbox.verify-alias-writes}:
 * {@code async} (default), {@code inline} (the confirming thread waits for the read: tests) or {@code off}.
 */
@ApplicationScoped
public class ConfirmedWritesMirror {

    /** Origin of these events: a QuantGate writer, so that no guard judges QuantGate's own write again. */
    static final String ORIGIN = "outbox:";
    private static final RegistryEvent.Carried KNOWN = new RegistryEvent.Carried(null, null, null, null, null, Map.of(),
            true); // the mirror holds the version: nothing to ask MLflow inside this transaction

    /** Origin of what the read-back finds: a poll's, so that the guards judge it. */
    static final String VERIFY_ORIGIN = "poller:alias-read-back";
    private static final Logger LOG = Logger.getLogger(ConfirmedWritesMirror.class);

    private final RegistryMirror mirror;
    private final MlflowRegistryClient mlflow;
    private final AfterCommit afterCommit;
    private final Clock clock;
    private final String verify;
    private final ExecutorService readBacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "quantgate-alias-read-back");
        t.setDaemon(true);
        return t;
    });

    public ConfirmedWritesMirror(RegistryMirror mirror, MlflowRegistryClient mlflow, AfterCommit afterCommit,
                                 Clock clock, MlflowConfig config) {
        this.mirror = mirror;
        this.mlflow = mlflow;
        this.afterCommit = afterCommit;
        this.clock = clock;
        String verify = config.outbox().verifyAliasWrites();
        this.verify = verify.trim().toLowerCase(java.util.Locale.ROOT);
        if (!this.verify.equals("async") && !this.verify.equals("inline") && !this.verify.equals("off")) {
            throw new IllegalArgumentException("quantgate.mlflow.outbox.verify-alias-writes must be async, inline or off,"
                    + " not '" + verify + "'");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        readBacks.shutdownNow();
    }

    void onConfirmed(@Observes WriteConfirmed confirmed) {
        RegistryEvent event = event(confirmed);
        if (event != null && mirrored(event.model(), event.version())) {
            mirror.apply(event);
            if (event.kind() != RegistryEvent.Kind.STAGE_CHANGED && !verify.equals("off")) {
                afterCommit.run(() -> readBack(event));
            }
        }
    }

    private void readBack(RegistryEvent wrote) {
        Future<?> done = readBacks.submit(() -> {
            try {
                verify(wrote);
            } catch (RuntimeException e) {
                LOG.warnf(e, "Reading back alias %s of %s failed (the next poll will see it)", wrote.key(), wrote.model());
            }
        });
        if (!verify.equals("inline")) {
            return;
        }
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // verify logs its own failures; nothing else can end the task exceptionally
            LOG.debugf(e.getCause(), "Reading back alias %s of %s", wrote.key(), wrote.model());
        }
    }

    /** Reads the alias from MLflow; what differs from QuantGate's write is applied as a poll would apply it. */
    private void verify(RegistryEvent wrote) {
        String alias = wrote.key();
        String holder;
        try {
            MlflowModel model = mlflow.getRegisteredModel(wrote.model());
            holder = model.aliases().get(alias);
        } catch (MlflowApiException e) {
            if (!e.isNotFound()) {
                LOG.warnf("Cannot read back alias %s of %s (the next poll will): %s", alias, wrote.model(), e.getMessage());
            }
            return; // a deleted model is the poll's to notice
        } catch (MlflowException e) {
            LOG.warnf("Cannot read back alias %s of %s (the next poll will): %s", alias, wrote.model(), e.getMessage());
            return;
        }
        String expected = wrote.kind() == RegistryEvent.Kind.ALIAS_SET ? wrote.version() : null;
        if (Objects.equals(holder, expected)) {
            return;
        }
        LOG.infof("Alias %s of %s is on %s in MLflow right after QuantGate's write (%s): applied as seen", alias,
                wrote.model(), holder == null ? "no version" : "version " + holder,
                expected == null ? "delete" : "set to " + expected);
        RegistryEvent seen = holder == null
                ? new RegistryEvent(RegistryEvent.Kind.ALIAS_DELETED, wrote.model(), null, alias, null, clock.instant(),
                VERIFY_ORIGIN)
                : new RegistryEvent(RegistryEvent.Kind.ALIAS_SET, wrote.model(), holder, alias, null, clock.instant(),
                VERIFY_ORIGIN);
        try {
            mirror.apply(mirror.prepare(seen)); // MLflow is read (if at all) before the mirror's transaction opens
        } catch (MlflowException e) {
            LOG.warnf("Cannot mirror alias %s of %s as read back (the next poll will): %s", alias, wrote.model(),
                    e.getMessage());
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
