package dev.quantgate.mlflow.outbox;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.mlflow.client.MlflowConfig;
import dev.quantgate.mlflow.client.MlflowException;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends due outbox writes to MLflow, one transaction per write with the row locked
 * ({@code FOR UPDATE SKIP LOCKED}, so several dispatchers, in one or several processes, never send a
 * write twice). Writes to one model go in order: a model's write waits while an earlier one is pending.
 * MLflow unreachable, 429 or 5xx: retried with exponential backoff. Any other refusal: parked, with
 * MLflow's error, until an admin retries it.
 */
@ApplicationScoped
public class OutboxDispatcher {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);
    static final String ACTOR = "mlflow-outbox";

    private static final String CLAIM_NEXT_DUE = """
            SELECT o.* FROM mlflow_outbox o
             WHERE o.status = 'PENDING' AND o.next_attempt_at <= now()
               AND NOT EXISTS (SELECT 1 FROM mlflow_outbox earlier
                                WHERE earlier.model_name = o.model_name AND earlier.status = 'PENDING'
                                  AND earlier.id < o.id)
             ORDER BY o.id
             LIMIT 1
             FOR UPDATE OF o SKIP LOCKED
            """;

    private final MlflowRegistryClient mlflow;
    private final MlflowConfig config;
    private final AuditLog audit;
    private final MeterRegistry metrics;

    public OutboxDispatcher(MlflowRegistryClient mlflow, MlflowConfig config, AuditLog audit, MeterRegistry metrics) {
        this.mlflow = mlflow;
        this.config = config;
        this.audit = audit;
        this.metrics = metrics;
    }

    @Scheduled(identity = "mlflow-outbox", every = "${quantgate.mlflow.outbox.dispatch-every:2s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        dispatchDue();
    }

    /**
     * Sends the writes that are due now, up to the configured batch size.
     *
     * @return how many attempts were made (sent, failed or parked)
     */
    public int dispatchDue() {
        if (!mlflow.configured()) {
            return 0;
        }
        int attempts = 0;
        while (attempts < config.outbox().batchSize()) {
            Boolean attempted = QuarkusTransaction.requiringNew().call(this::sendNextDue);
            if (!Boolean.TRUE.equals(attempted)) {
                break;
            }
            attempts++;
        }
        return attempts;
    }

    private boolean sendNextDue() {
        @SuppressWarnings("unchecked")
        List<MlflowOutboxEntity> due = MlflowOutboxEntity.getEntityManager()
                .createNativeQuery(CLAIM_NEXT_DUE, MlflowOutboxEntity.class).getResultList();
        if (due.isEmpty()) {
            return false;
        }
        MlflowOutboxEntity row = due.get(0);
        row.attempts++;
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try {
            mlflow.execute(row.httpMethod, row.path, row.body);
            row.status = MlflowOutboxEntity.SENT;
            row.sentAt = now;
            row.lastError = null;
            audit.append(ACTOR, "mlflow.outbox.sent", MlflowOutbox.subject(row), MlflowOutbox.details(row));
            count("sent");
        } catch (MlflowException e) {
            row.lastError = e.getMessage();
            if (e.retryable()) {
                count("retry");
                row.nextAttemptAt = now.plus(backoff(row.attempts));
                LOG.warnf("MLflow write %d (%s %s) failed, attempt %d, next at %s: %s", row.id, row.modelName,
                        row.description, row.attempts, row.nextAttemptAt, e.getMessage());
            } else {
                park(row, e.getMessage());
            }
        } catch (RuntimeException e) {
            row.lastError = e.toString();
            park(row, e.toString());
        }
        return true;
    }

    private void park(MlflowOutboxEntity row, String error) {
        count("parked");
        row.status = MlflowOutboxEntity.PARKED;
        LOG.errorf("MLflow write %d (%s %s) parked after %d attempt(s): %s", row.id, row.modelName, row.description,
                row.attempts, error);
        Map<String, Object> payload = new java.util.LinkedHashMap<>(MlflowOutbox.details(row));
        payload.put("error", error);
        audit.append(ACTOR, "mlflow.outbox.parked", MlflowOutbox.subject(row), payload);
    }

    /** One counter per outcome of an attempt: {@code quantgate_mlflow_outbox_attempts_total{outcome=...}}. */
    private void count(String outcome) {
        metrics.counter("quantgate.mlflow.outbox.attempts", "outcome", outcome).increment();
    }

    /** Exponential: initial × 2^(attempts-1), capped, with up to 20% jitter so that retries spread out. */
    Duration backoff(int attempts) {
        Duration initial = config.outbox().initialBackoff();
        Duration max = config.outbox().maxBackoff();
        int doublings = Math.min(30, Math.max(0, attempts - 1));
        Duration base = initial.multipliedBy(1L << doublings);
        if (base.compareTo(max) > 0 || base.isNegative()) {
            base = max;
        }
        long jitter = (long) (base.toMillis() * 0.2 * ThreadLocalRandom.current().nextDouble());
        return base.plusMillis(jitter);
    }
}
