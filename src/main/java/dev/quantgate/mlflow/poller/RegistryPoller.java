package dev.quantgate.mlflow.poller;

import dev.quantgate.mlflow.client.MlflowConfig;
import dev.quantgate.mlflow.client.MlflowModel;
import dev.quantgate.mlflow.client.MlflowModelVersion;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEventSink;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reconciles the mirror with MLflow: for MLflow servers that send no webhooks (file store, MLflow
 * before 3.3, Databricks), for what no webhook reports (legacy stage transitions, registration
 * finishing, description and tag updates, deletions of versions and whole models) and for changes
 * made while QuantGate was down (MLflow gives up on a webhook after 4 attempts). Emits the same
 * {@link RegistryEvent}s as the webhook path, through the same {@link RegistryEventSink}, so a change
 * seen by both is applied once.
 *
 * <p>The registry is read page by page ({@code quantgate.mlflow.poll-page-size} models): each page's
 * MLflow searches run with no transaction open, then its events are applied in one short transaction
 * of their own. A failure stops the poll; the pages before it stay applied, the next poll starts over
 * (and, the mirror being idempotent, applies nothing twice). Whole-model deletions are applied only
 * after every page was read. One poll at a time, across processes too (a PostgreSQL advisory lock
 * held on its own connection for the poll).
 */
@ApplicationScoped
public class RegistryPoller {

    private static final Logger LOG = Logger.getLogger(RegistryPoller.class);
    /** Advisory lock key: "QGPOLL" in ASCII. */
    static final long LOCK_KEY = 0x5147_504F_4C4CL;
    static final String ORIGIN = "poller";

    private final MlflowRegistryClient mlflow;
    private final RegistryEventSink sink;
    private final MirrorSnapshot mirrorSnapshot;
    private final MlflowConfig config;
    private final AgroalDataSource dataSource;
    private final MeterRegistry metrics;
    private final Clock clock;

    public RegistryPoller(MlflowRegistryClient mlflow, RegistryEventSink sink, MirrorSnapshot mirrorSnapshot,
                          MlflowConfig config, AgroalDataSource dataSource, MeterRegistry metrics, Clock clock) {
        this.mlflow = mlflow;
        this.sink = sink;
        this.mirrorSnapshot = mirrorSnapshot;
        this.config = config;
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.clock = clock;
    }

    void schedule(@Observes StartupEvent start, Scheduler scheduler) {
        Duration interval = config.pollInterval();
        if (!mlflow.configured()) {
            LOG.debug("No MLflow URL is configured: no reconciling poll");
            return;
        }
        if (interval.isZero() || interval.isNegative()) {
            LOG.infof("MLflow polling is off (quantgate.mlflow.poll-interval=%s): changes MLflow could not deliver "
                    + "by webhook are not reconciled", interval);
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
        LOG.infof("Reconciling the mirror with MLflow's registry at %s every %s", mlflow.baseUrl(), interval);
    }

    /**
     * One reconciliation: reads MLflow's registry page by page, diffs each page with the mirror and
     * applies the differences, one transaction per page.
     *
     * @return the outcome; {@link PollResult#skipped()} when another poll holds the lock
     */
    public PollResult pollOnce() {
        try (Connection lockConnection = dataSource.getConnection()) {
            if (!advisoryLock(lockConnection, "SELECT pg_try_advisory_lock(?)")) {
                count("skipped");
                return PollResult.SKIPPED;
            }
            try {
                PollResult result = pollLocked();
                count("completed");
                metrics.counter("quantgate.mlflow.poll.events").increment(result.events().size());
                return result;
            } finally {
                advisoryLock(lockConnection, "SELECT pg_advisory_unlock(?)");
            }
        } catch (SQLException e) {
            count("failed");
            throw new IllegalStateException("The poll lock cannot be taken: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            count("failed");
            throw e;
        }
    }

    /** {@code quantgate_mlflow_polls_total{outcome=completed|skipped|failed}}. */
    private void count(String outcome) {
        metrics.counter("quantgate.mlflow.polls", "outcome", outcome).increment();
    }

    private static boolean advisoryLock(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, LOCK_KEY);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private PollResult pollLocked() {
        Instant polledAt = Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
        int pageSize = Math.max(1, config.pollPageSize());
        List<RegistryEvent> events = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int changes = 0;
        String token = null;
        do {
            MlflowRegistryClient.ModelsPage page = mlflow.searchRegisteredModelsPage(token, pageSize);
            Map<MlflowModel, List<MlflowModelVersion>> read = new LinkedHashMap<>();
            for (MlflowModel model : page.models()) {
                read.put(model, mlflow.searchModelVersions(model.name(), pageSize));
                seen.add(model.name());
            }
            List<RegistryEvent> pageEvents = QuarkusTransaction.requiringNew().call(() -> {
                List<RegistryEvent> diff = new ArrayList<>();
                read.forEach((model, versions) ->
                        RegistryDiff.diff(model, versions, mirrorSnapshot.load(model.name()), polledAt, diff));
                return diff;
            });
            changes += apply(pageEvents);
            events.addAll(pageEvents);
            token = page.nextPageToken();
        } while (token != null);
        List<String> gone = QuarkusTransaction.requiringNew().call(() -> mirrorSnapshot.liveModelsNotIn(seen));
        for (int from = 0; from < gone.size(); from += pageSize) {
            List<RegistryEvent> deletions = gone.subList(from, Math.min(gone.size(), from + pageSize)).stream()
                    .map(name -> RegistryDiff.modelDeleted(name, polledAt)).toList();
            changes += apply(deletions);
            events.addAll(deletions);
        }
        if (!events.isEmpty() || changes > 0) {
            LOG.infof("MLflow poll: %d model(s), %d event(s), %d mirror change(s)", seen.size(), events.size(),
                    changes);
        }
        return new PollResult(false, seen.size(), List.copyOf(events), changes);
    }

    /** Prepares each event (no transaction; a poll's events carry what the mirror needs) and applies them together. */
    private int apply(List<RegistryEvent> events) {
        if (events.isEmpty()) {
            return 0;
        }
        List<RegistryEventSink.Prepared> prepared = events.stream().map(sink::prepare).toList();
        return QuarkusTransaction.requiringNew().call(() -> {
            int changes = 0;
            for (RegistryEventSink.Prepared p : prepared) {
                changes += sink.apply(p);
            }
            return changes;
        });
    }

    /**
     * What one poll did.
     *
     * @param models  registered models MLflow reported
     * @param events  the registry events it emitted (empty when the mirror already matched MLflow)
     * @param changes mirror changes those events caused
     */
    public record PollResult(boolean skipped, int models, List<RegistryEvent> events, int changes) {
        static final PollResult SKIPPED = new PollResult(true, 0, List.of(), 0);
    }
}
