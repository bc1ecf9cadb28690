package dev.quantgate.mlflow.poller;

import dev.quantgate.mlflow.client.MlflowConfig;
import dev.quantgate.mlflow.client.MlflowModel;
import dev.quantgate.mlflow.client.MlflowModelVersion;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEventSink;
import dev.quantgate.registry.RegistryMirror;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * For MLflow servers that send no webhooks (file store, MLflow before 3.3, Databricks) and for what
 * no webhook reports (legacy stage transitions, registration finishing, deletions): compares MLflow's
 * search results with the mirror and emits the same {@link RegistryEvent}s as the webhook path, through
 * the same sink, so with both on nothing is processed twice. One poll at a time, across processes too
 * (a transaction-scoped PostgreSQL advisory lock).
 */
@ApplicationScoped
public class RegistryPoller {

    private static final Logger LOG = Logger.getLogger(RegistryPoller.class);
    /** Advisory lock key: "QGPOLL" in ASCII. */
    static final long LOCK_KEY = 0x5147_504F_4C4CL;
    static final String ORIGIN = "poller";

    private final MlflowRegistryClient mlflow;
    private final RegistryEventSink sink;
    private final RegistryMirror mirror;
    private final MirrorSnapshot mirrorSnapshot;
    private final MlflowConfig config;
    private final EntityManager em;
    private final MeterRegistry metrics;

    public RegistryPoller(MlflowRegistryClient mlflow, RegistryEventSink sink, RegistryMirror mirror,
                          MirrorSnapshot mirrorSnapshot, MlflowConfig config, EntityManager em, MeterRegistry metrics) {
        this.mlflow = mlflow;
        this.sink = sink;
        this.mirror = mirror;
        this.mirrorSnapshot = mirrorSnapshot;
        this.config = config;
        this.em = em;
        this.metrics = metrics;
    }

    void schedule(@Observes StartupEvent start, Scheduler scheduler) {
        Duration interval = config.pollInterval();
        if (interval.isZero() || interval.isNegative()) {
            LOG.debug("MLflow polling is off (quantgate.mlflow.poll-interval=0)");
            return;
        }
        if (!mlflow.configured()) {
            LOG.warnf("quantgate.mlflow.poll-interval is %s but no MLflow URL is configured: polling stays off", interval);
            return;
        }
        scheduler.newJob("mlflow-registry-poller")
                .setInterval(interval.toString())
                .setConcurrentExecution(io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> {
                    try {
                        pollOnce();
                    } catch (RuntimeException e) {
                        LOG.warnf("MLflow registry poll failed, next in %s: %s", interval, e.getMessage());
                    }
                })
                .schedule();
        LOG.infof("Polling MLflow's registry at %s every %s", mlflow.baseUrl(), interval);
    }

    /**
     * One reconciliation: reads MLflow's registry, diffs it with the mirror, applies the differences.
     * All of it commits together or not at all.
     *
     * @return the outcome; {@link PollResult#skipped()} when another poll holds the lock
     */
    public PollResult pollOnce() {
        Duration timeout = config.readTimeout().multipliedBy(4).plusSeconds(60);
        try {
            PollResult result = QuarkusTransaction.requiringNew()
                    .timeout((int) Math.min(Integer.MAX_VALUE, timeout.toSeconds()))
                    .call(this::pollLocked);
            count(result.skipped() ? "skipped" : "completed");
            metrics.counter("quantgate.mlflow.poll.events").increment(result.events().size());
            return result;
        } catch (RuntimeException e) {
            count("failed");
            throw e;
        }
    }

    /** {@code quantgate_mlflow_polls_total{outcome=completed|skipped|failed}}. */
    private void count(String outcome) {
        metrics.counter("quantgate.mlflow.polls", "outcome", outcome).increment();
    }

    private PollResult pollLocked() {
        Boolean locked = (Boolean) em.createNativeQuery("SELECT pg_try_advisory_xact_lock(?1)")
                .setParameter(1, LOCK_KEY).getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return PollResult.SKIPPED;
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int pageSize = config.pollPageSize();
        List<RegistryEvent> events = new ArrayList<>();
        List<MlflowModelVersion> refresh = new ArrayList<>();
        List<String[]> deleted = new ArrayList<>();
        List<MlflowModel> models = mlflow.searchRegisteredModels(pageSize);
        for (MlflowModel model : models) {
            List<MlflowModelVersion> versions = mlflow.searchModelVersions(model.name(), pageSize);
            MirrorSnapshot.Model mirrored = mirrorSnapshot.load(model.name());
            RegistryDiff.diff(model, versions, mirrored, at, events, refresh, deleted);
        }
        int changes = 0;
        for (RegistryEvent event : events) {
            changes += sink.apply(event);
        }
        for (MlflowModelVersion version : refresh) {
            changes += mirror.refreshVersion(version, ORIGIN);
        }
        for (String[] gone : deleted) {
            changes += mirror.markVersionDeleted(gone[0], gone[1], ORIGIN);
        }
        if (!events.isEmpty() || changes > 0) {
            LOG.infof("MLflow poll: %d model(s), %d event(s), %d mirror change(s)", models.size(), events.size(), changes);
        }
        return new PollResult(false, models.size(), List.copyOf(events), changes);
    }

    /**
     * What one poll did.
     *
     * @param events  the registry events it emitted (empty when the mirror already matched MLflow)
     * @param changes mirror changes those events and the refreshes caused
     */
    public record PollResult(boolean skipped, int models, List<RegistryEvent> events, int changes) {
        static final PollResult SKIPPED = new PollResult(true, 0, List.of(), 0);
    }
}
