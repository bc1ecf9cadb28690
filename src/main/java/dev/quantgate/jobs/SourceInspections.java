package dev.quantgate.jobs;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.kernel.AfterCommit;
import dev.quantgate.kernel.Backoff;
import dev.quantgate.kernel.BackgroundLoop;
import dev.quantgate.kernel.ClaimRenewal;
import dev.quantgate.kernel.Claims;
import dev.quantgate.kernel.Failures;
import dev.quantgate.kernel.WorkQueue;
import dev.quantgate.kernel.WorkQueues;
import dev.quantgate.kernel.retry.AttemptEvent;
import dev.quantgate.kernel.retry.Decision;
import dev.quantgate.kernel.retry.Outcome;
import dev.quantgate.kernel.retry.RetryHandler;
import dev.quantgate.kernel.retry.RetryPolicy;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.policy.PolicySelection;
import dev.quantgate.policy.service.PolicyService;
import dev.quantgate.registry.RegistryChange;
import dev.quantgate.worker.ArtifactException;
import dev.quantgate.worker.ArtifactPort;
import dev.quantgate.worker.ModelFlavor;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a registered version's {@code MLmodel} through MLflow before anything is planned for it: only the
 * {@code onnx} flavor is quantized, so a version of any other flavor gets no jobs but
 * {@code quantgate.status=unsupported_flavor:<flavor>} (tag, API, audit). The mirror's transaction only records
 * that a selected version awaits inspection; the MLflow reads happen here, outside any transaction, claimed so
 * that several servers never inspect one version at once, and retried with backoff while MLflow is unreachable.
 * An {@code MLmodel} that cannot be read as such is planned anyway: the job's worker then names exactly what is
 * wrong with the model's files.
 */
@Startup
@ApplicationScoped
public class SourceInspections {

    static final String QUEUE = "source-inspection";
    private static final Logger LOG = Logger.getLogger(SourceInspections.class);
    private static final long MLMODEL_MAX_BYTES = 1L << 20;
    private static final int BATCH = 20;
    private static final String PENDING = "q.state = 'pending'";
    private static final String CLAIM = Claims.claimStatement("source_inspection", ", attempts = attempts + 1",
            PENDING, "q.next_attempt_at <= ?", "id, model_name, version, attempts");
    private static final String NEXT_DUE = Claims.nextDueStatement("source_inspection", PENDING, "q.next_attempt_at");
    private static final String ENQUEUE = """
            INSERT INTO source_inspection (model_name, version, state, next_attempt_at, created_at, updated_at)
            VALUES (?1, ?2, 'pending', ?3, ?3, ?3) ON CONFLICT (model_name, version) DO NOTHING""";
    private static final String RETRY = """
            UPDATE source_inspection SET last_error = ?1, next_attempt_at = ?2, updated_at = ?3, claim_token = NULL,
                claimed_until = NULL WHERE id = ?4 AND claim_token = ?5""";
    /** Locks a claimed row that is still pending and still this claim's (a hand plan may have settled it). */
    private static final String HOLD = """
            UPDATE source_inspection SET updated_at = ?1 WHERE id = ?2 AND claim_token = ?3 AND state = 'pending'""";
    private static final String SETTLE_CLAIMED = """
            UPDATE source_inspection SET state = ?1, flavor = ?2, last_error = ?3, updated_at = ?4, claim_token = NULL,
                claimed_until = NULL WHERE id = ?5""";
    /** A hand plan settles the row whatever claim it holds: a loop's later record of the same version then finds no claim. */
    private static final String SETTLE = """
            INSERT INTO source_inspection (model_name, version, state, flavor, last_error, next_attempt_at, created_at,
                updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6)
            ON CONFLICT (model_name, version) DO UPDATE SET state = EXCLUDED.state, flavor = EXCLUDED.flavor,
                last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at, claim_token = NULL, claimed_until = NULL""";

    /** What reading a version's {@code MLmodel} found. */
    sealed interface Finding {
        /** The file declares this flavor. */
        record Flavor(String flavor) implements Finding {
        }

        /** There is no readable {@code MLmodel} (bad input the worker will name); planned anyway. */
        record Unreadable(String reason) implements Finding {
        }

        /** MLflow could not be reached or answered an outage; try again later. */
        record Outage(String reason) implements Finding {
        }
    }

    /** A version inspection as the state a row is settled in. */
    record Settled(String state, String flavor, String note) {
    }

    /** A pending row this process has claimed. */
    record Claimed(long id, String model, int version, int attempts, String token, AtomicReference<Finding> finding) {
    }

    private final EntityManager em;
    private final AgroalDataSource dataSource;
    private final ArtifactPort artifacts;
    private final MlflowRegistryClient mlflow;
    private final PolicyService policies;
    private final Planner planner;
    private final SourceStatus status;
    private final AuditLog audit;
    private final AfterCommit afterCommit;
    private final ProcessRole role;
    private final Clock clock;
    private final ClaimRenewal claims;
    private final WorkQueue queue;
    private final List<RetryHandler<Claimed>> handlers;

    public SourceInspections(EntityManager em, AgroalDataSource dataSource, ArtifactPort artifacts,
                             MlflowRegistryClient mlflow, PolicyService policies, Planner planner, SourceStatus status,
                             AuditLog audit, AfterCommit afterCommit, ProcessRole role, WorkQueues queues,
                             JobsConfig config, Clock clock) {
        this.em = em;
        this.dataSource = dataSource;
        this.artifacts = artifacts;
        this.mlflow = mlflow;
        this.policies = policies;
        this.planner = planner;
        this.status = status;
        this.audit = audit;
        this.afterCommit = afterCommit;
        this.role = role;
        this.clock = clock;
        this.claims = new ClaimRenewal(QUEUE, dataSource, "source_inspection", clock, Duration.ofSeconds(30));
        Backoff backoff = new Backoff(config.retryBackoffInitial(), config.retryBackoffMax(), Backoff.Jitter.EQUAL);
        // an MLflow outage is waited out, never given up on: the version is planned once MLflow answers
        this.queue = queues.create(QUEUE, "quantgate.jobs.inspection.attempts", new RetryPolicy(Integer.MAX_VALUE, backoff));
        this.handlers = List.of(this::attempt);
        String every = config.inspectEvery().trim();
        if (role.runsServer() && !every.equalsIgnoreCase("off")) {
            queue.startLoop(1, DurationConverter.parseDuration(every), this::step);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        claims.close();
    }

    /** In the mirror's transaction: a new version of a model a policy selects awaits inspection (once). */
    void onVersionRegistered(@Observes RegistryChange.VersionRegistered registered) {
        if (!role.runsServer() || registered.tags().containsKey(MirroredVersion.VARIANT_OF)) {
            return;
        }
        int version;
        try {
            version = Integer.parseInt(registered.version());
        } catch (NumberFormatException e) {
            return;
        }
        PolicySelection selection = policies.select(registered.model(), MirroredVersion.modelTags(registered.model()));
        if (selection instanceof PolicySelection.Conflict conflict) {
            LOG.warnf("Version %s of %s is not planned: %s", registered.version(), registered.model(), conflict.detail());
            return;
        }
        if (!(selection instanceof PolicySelection.Selected)) {
            return;
        }
        int added = em.createNativeQuery(ENQUEUE).setParameter(1, registered.model()).setParameter(2, version)
                .setParameter(3, now()).executeUpdate();
        if (added == 1) {
            afterCommit.run(queue::wake);
        }
    }

    private Duration step() {
        if (!mlflow.configured()) {
            return BackgroundLoop.NOTHING_DUE;
        }
        if (inspectDue() >= BATCH) {
            return Duration.ZERO;
        }
        return queue.until(Claims.nextDue(dataSource, NEXT_DUE));
    }

    /**
     * Inspects the versions that are due now (up to a batch), planning each onnx one.
     *
     * @return how many inspections were attempted
     */
    public int inspectDue() {
        int attempted = 0;
        while (attempted < BATCH) {
            Claimed claimed = QuarkusTransaction.requiringNew().call(this::claim);
            if (claimed == null) {
                break;
            }
            try (ClaimRenewal.Held held = claims.hold(claimed.id(), claimed.token())) {
                queue.attempt(Long.toString(claimed.id()), claimed.attempts(), claimed, handlers,
                        event -> QuarkusTransaction.requiringNew().run(() -> record(claimed, event)));
            }
            attempted++;
        }
        return attempted;
    }

    private Claimed claim() throws SQLException {
        return Claims.claimOne(dataSource, CLAIM, queue.lease(claims.length()), (rs, lease) -> new Claimed(
                rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4), lease.token(), new AtomicReference<>()));
    }

    private Outcome attempt(Claimed claimed) {
        Optional<MirroredVersion> source = QuarkusTransaction.requiringNew()
                .call(() -> MirroredVersion.find(claimed.model(), claimed.version()));
        Finding finding = source.isEmpty() || source.get().deleted()
                ? new Finding.Unreadable("the version is gone from the registry mirror")
                : inspect(source.get());
        claimed.finding().set(finding);
        return finding instanceof Finding.Outage outage ? new Outcome.RetryLater(outage.reason())
                : new Outcome.Done(finding.toString());
    }

    private void record(Claimed claimed, AttemptEvent.AfterAttempt event) {
        Decision decision = event.decision();
        if (decision instanceof Decision.RetryAt retry) {
            int updated = em.createNativeQuery(RETRY).setParameter(1, retry.reason())
                    .setParameter(2, retry.at().truncatedTo(ChronoUnit.MICROS)).setParameter(3, now())
                    .setParameter(4, claimed.id()).setParameter(5, claimed.token()).executeUpdate();
            if (updated == 1) {
                LOG.warnf("Cannot read the MLmodel of %s v%d yet (attempt %d, next at %s): %s", claimed.model(),
                        claimed.version(), claimed.attempts(), retry.at(), retry.reason());
            }
            return;
        }
        if (em.createNativeQuery(HOLD).setParameter(1, now()).setParameter(2, claimed.id())
                .setParameter(3, claimed.token()).executeUpdate() == 0) {
            return; // a hand plan settled the version meanwhile
        }
        Finding finding = claimed.finding().get();
        if (finding == null) {
            finding = new Finding.Unreadable(decision instanceof Decision.Parked parked ? parked.reason()
                    : "the inspection ended without a finding");
        }
        Settled settled = settle(claimed.model(), claimed.version(), finding, Planner.ACTOR);
        em.createNativeQuery(SETTLE_CLAIMED).setParameter(1, settled.state()).setParameter(2, settled.flavor())
                .setParameter(3, settled.note()).setParameter(4, now()).setParameter(5, claimed.id()).executeUpdate();
    }

    /**
     * For a hand plan, outside a transaction: the version's flavor as inspected before, or read now
     * ({@code null} when its {@code MLmodel} cannot be read: it is planned anyway and the worker names the problem).
     *
     * @throws ApiException {@code not_plannable} for a flavor other than onnx, {@code service_unavailable} while
     *                      MLflow cannot be reached
     */
    String requireQuantizable(MirroredVersion source, String actor) {
        Optional<Object[]> known = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "SELECT state, flavor FROM source_inspection WHERE model_name = ?1 AND version = ?2")
                .setParameter(1, source.model()).setParameter(2, source.version())
                .getResultList().stream().findFirst().map(Object[].class::cast));
        if (known.isPresent() && "unsupported".equals(known.get()[0])) {
            throw unsupported(source, (String) known.get()[1]);
        }
        if (known.isPresent() && "planned".equals(known.get()[0])) {
            return (String) known.get()[1];
        }
        Finding finding = inspect(source);
        if (finding instanceof Finding.Outage outage) {
            throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Cannot read the MLmodel of version "
                    + source.version() + " of '" + source.model() + "' from MLflow to learn its flavor: "
                    + outage.reason());
        }
        if (finding instanceof Finding.Flavor f && !ModelFlavor.ONNX.equals(f.flavor())) {
            QuarkusTransaction.requiringNew().run(() -> {
                Settled settled = unsupported(source.model(), source.version(), f.flavor(), actor);
                settleRow(source.model(), source.version(), settled);
            });
            throw unsupported(source, f.flavor());
        }
        return finding instanceof Finding.Flavor f ? f.flavor() : null;
    }

    /** In the hand plan's transaction: the version is planned (a later registration or inspection plans nothing). */
    void markPlanned(String model, int version, String flavor) {
        settleRow(model, version, new Settled("planned", flavor, null));
    }

    private void settleRow(String model, int version, Settled settled) {
        em.createNativeQuery(SETTLE).setParameter(1, model).setParameter(2, version).setParameter(3, settled.state())
                .setParameter(4, settled.flavor()).setParameter(5, settled.note()).setParameter(6, now())
                .executeUpdate();
    }

    /** In a transaction: what an inspection's finding means for the version now (plan, refuse, or nothing). */
    private Settled settle(String model, int version, Finding finding, String actor) {
        Optional<MirroredVersion> source = MirroredVersion.find(model, version);
        if (source.isEmpty() || source.get().deleted()) {
            return new Settled("unselected", null, "the version is gone from the registry mirror");
        }
        String flavor = finding instanceof Finding.Flavor f ? f.flavor() : null;
        if (flavor != null && !ModelFlavor.ONNX.equals(flavor)) {
            return unsupported(model, version, flavor, actor);
        }
        PolicySelection selection = policies.select(model, source.get().modelTags());
        if (!(selection instanceof PolicySelection.Selected selected)) {
            String why = selection instanceof PolicySelection.Conflict c ? c.detail()
                    : "no policy in force selects the model any more";
            LOG.warnf("Version %d of %s is not planned: %s", version, model, why);
            return new Settled("unselected", flavor, why);
        }
        planner.plan(model, version, selected.version(), actor);
        return new Settled("planned", flavor, finding instanceof Finding.Unreadable u ? u.reason() : null);
    }

    private Settled unsupported(String model, int version, String flavor, String actor) {
        status.status(model, version, SourceStatus.UNSUPPORTED_FLAVOR + flavor);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("model", model);
        payload.put("version", version);
        payload.put("flavor", flavor);
        audit.append(actor, "job.source_unsupported", "model-version:" + model + "/" + version, payload);
        LOG.infof("Version %d of %s is of the %s flavor: nothing to quantize", version, model, flavor);
        return new Settled("unsupported", flavor, "the model's flavor is " + flavor
                + "; QuantGate quantizes models of the onnx flavor only");
    }

    private static ApiException unsupported(MirroredVersion source, String flavor) {
        return new ApiException(ErrorCode.NOT_PLANNABLE, "Version " + source.version() + " of '" + source.model()
                + "' is of the " + flavor + " flavor (its MLmodel file); QuantGate quantizes models of the onnx "
                + "flavor only (log it with mlflow.onnx.log_model)");
    }

    /** Reads the version's {@code MLmodel} through MLflow; no transaction may be open. */
    private Finding inspect(MirroredVersion source) {
        Path file = null;
        try {
            String directory = artifacts.resolveModelDirectory(source.model(), Integer.toString(source.version()),
                    source.source(), source.runId());
            file = Files.createTempFile("quantgate-mlmodel-", ".yaml");
            artifacts.downloadFile(directory.replaceAll("/+$", "") + "/MLmodel", file, MLMODEL_MAX_BYTES);
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return ModelFlavor.read(text).<Finding>map(Finding.Flavor::new)
                    .orElseGet(() -> new Finding.Unreadable("the MLmodel file is not a YAML mapping"));
        } catch (ArtifactException e) {
            String reason = Failures.clip(String.valueOf(e.getMessage()));
            return e.retryable() ? new Finding.Outage(reason) : new Finding.Unreadable(reason);
        } catch (IOException e) {
            return new Finding.Unreadable(Failures.logged(LOG, Logger.Level.WARN,
                    "Cannot read the MLmodel of " + source.model() + " v" + source.version(), e));
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debugf("Cannot delete %s: %s", file, e.getMessage());
                }
            }
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
