package dev.quantgate.mlflow.outbox;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.kernel.Backoff;
import dev.quantgate.kernel.BackgroundLoop;
import dev.quantgate.kernel.retry.AttemptEvent;
import dev.quantgate.kernel.retry.AttemptListener;
import dev.quantgate.kernel.retry.AttemptMetrics;
import dev.quantgate.kernel.retry.Decision;
import dev.quantgate.kernel.retry.Retrier;
import dev.quantgate.kernel.retry.RetryPolicy;
import dev.quantgate.mlflow.client.MlflowConfig;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Sends due outbox writes to MLflow with no transaction open while the HTTP call is in flight: a
 * write is claimed in a short committed transaction (token and expiry, so several dispatchers, in one
 * or several processes, never send it at the same time), sent, and its outcome recorded in a new short
 * transaction that checks the claim. A claim left by a crash expires and the write is sent again.
 * Writes to one model go in order: a model's write waits while an earlier one is pending.
 * MLflow unreachable, 429 or 5xx: retried with exponential backoff. Any other refusal: parked, with
 * MLflow's error, until an admin retries it.
 */
@ApplicationScoped
public class OutboxDispatcher {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);
    static final String ACTOR = "mlflow-outbox";
    static final String QUEUE = "mlflow-outbox";
    private static final Duration MIN_WAIT = Duration.ofMillis(10);

    private static final String HEAD = " o.status = 'PENDING' AND NOT EXISTS (SELECT 1 FROM mlflow_outbox earlier"
            + " WHERE earlier.model_name = o.model_name AND earlier.status = 'PENDING' AND earlier.id < o.id)";
    private static final String CLAIM = "UPDATE mlflow_outbox SET claim_token = ?, claimed_until = ?, attempts = attempts + 1"
            + " WHERE id = (SELECT o.id FROM mlflow_outbox o WHERE" + HEAD
            + "   AND o.next_attempt_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until <= ?)"
            + "   ORDER BY o.id LIMIT 1 FOR UPDATE OF o SKIP LOCKED)"
            + " RETURNING id, model_name, description, http_method, path, body, attempts";
    private static final String NEXT_DUE = "SELECT min(GREATEST(o.next_attempt_at, o.claimed_until))"
            + " FROM mlflow_outbox o WHERE" + HEAD;
    private static final String RECORD = "UPDATE mlflow_outbox SET status = ?, last_error = ?, next_attempt_at = ?,"
            + " sent_at = ?, claim_token = NULL, claimed_until = NULL WHERE id = ? AND claim_token = ?";

    /** A write this dispatcher has claimed; {@code attempts} counts the attempt being made. */
    record ClaimedWrite(long id, String model, String description, String method, String path, String body,
                        int attempts, String token) {

        String subject() {
            return "mlflow-outbox:" + id;
        }

        Map<String, Object> details() {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("model", model);
            payload.put("write", description);
            payload.put("attempts", attempts);
            return payload;
        }
    }

    private final MlflowRegistryClient mlflow;
    private final MlflowConfig config;
    private final AgroalDataSource dataSource;
    private final AuditLog audit;
    private final Clock clock;
    private final WriteSender sender;
    private final Retrier retrier;
    private final Duration claimTimeout;
    private final BackgroundLoop loop;

    public OutboxDispatcher(MlflowRegistryClient mlflow, MlflowConfig config, AgroalDataSource dataSource,
                            AuditLog audit, MeterRegistry metrics, Clock clock,
                            @Any Instance<AttemptListener> listeners) {
        this.mlflow = mlflow;
        this.config = config;
        this.dataSource = dataSource;
        this.audit = audit;
        this.clock = clock;
        this.sender = new WriteSender(mlflow);
        List<AttemptListener> all = new ArrayList<>();
        all.add(new AttemptMetrics(metrics, "quantgate.mlflow.outbox.attempts"));
        listeners.forEach(all::add);
        Backoff backoff = new Backoff(config.outbox().initialBackoff(), config.outbox().maxBackoff(),
                Backoff.Jitter.EQUAL);
        // DESIGN: a write is retried until MLflow accepts it; only a refusal parks it.
        this.retrier = new Retrier(QUEUE, new RetryPolicy(Integer.MAX_VALUE, backoff), clock, all);
        // A claim outlives the longest the HTTP call can take (connect, then read), twice over.
        this.claimTimeout = config.connectTimeout().plus(config.readTimeout()).multipliedBy(2);
        String every = config.outbox().dispatchEvery().trim();
        this.loop = every.equalsIgnoreCase("off") ? null
                : new BackgroundLoop("mlflow-outbox", 1, DurationConverter.parseDuration(every), this::step);
    }

    void start(@Observes StartupEvent event) {
        if (loop != null) {
            loop.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    /** A write was committed or released: send what is due now (no effect when dispatching is {@code off}). */
    public void wake() {
        if (loop != null) {
            loop.wake();
        }
    }

    private Duration step() {
        if (!mlflow.configured()) {
            return Duration.ofDays(1); // bounded by the loop's idle limit
        }
        if (dispatchDue() >= config.outbox().batchSize()) {
            return Duration.ZERO;
        }
        return untilNextDue();
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
            ClaimedWrite write = QuarkusTransaction.requiringNew().call(this::claim);
            if (write == null) {
                break;
            }
            retrier.attempt(Long.toString(write.id()), write.attempts(), write, List.of(sender),
                    attempt -> QuarkusTransaction.requiringNew().run(() -> record(write, attempt)));
            attempts++;
        }
        return attempts;
    }

    private ClaimedWrite claim() throws SQLException {
        Instant now = clock.instant();
        String token = UUID.randomUUID().toString();
        try (Connection c = dataSource.getConnection(); PreparedStatement claim = c.prepareStatement(CLAIM)) {
            claim.setString(1, token);
            claim.setObject(2, utc(now.plus(claimTimeout)));
            claim.setObject(3, utc(now));
            claim.setObject(4, utc(now));
            try (ResultSet rs = claim.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new ClaimedWrite(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getInt(7), token);
            }
        }
    }

    private void record(ClaimedWrite write, AttemptEvent.AfterAttempt attempt) {
        Decision decision = attempt.decision();
        String status = MlflowOutboxEntity.PENDING;
        String error = null;
        Instant next = null;
        Instant sentAt = null;
        if (decision instanceof Decision.Completed) {
            status = MlflowOutboxEntity.SENT;
            sentAt = clock.instant();
        } else if (decision instanceof Decision.RetryAt retry) {
            error = retry.reason();
            next = retry.at();
        } else if (decision instanceof Decision.Parked parked) {
            status = MlflowOutboxEntity.PARKED;
            error = parked.reason();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(RECORD)) {
            update.setString(1, status);
            update.setString(2, error);
            update.setObject(3, utc(next == null ? clock.instant() : next));
            update.setObject(4, sentAt == null ? null : utc(sentAt));
            update.setLong(5, write.id());
            update.setString(6, write.token());
            if (update.executeUpdate() == 0) {
                LOG.warnf("MLflow write %d: its claim expired while it was being sent; the outcome of the newer attempt stands",
                        write.id());
                return;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record the outcome of MLflow write " + write.id(), e);
        }
        if (decision instanceof Decision.Completed) {
            audit.append(ACTOR, "mlflow.outbox.sent", write.subject(), write.details());
        } else if (decision instanceof Decision.RetryAt retry) {
            LOG.warnf("MLflow write %d (%s %s) failed, attempt %d, next at %s: %s", write.id(), write.model(),
                    write.description(), write.attempts(), retry.at(), retry.reason());
        } else {
            LOG.errorf("MLflow write %d (%s %s) parked after %d attempt(s): %s", write.id(), write.model(),
                    write.description(), write.attempts(), error);
            Map<String, Object> payload = write.details();
            payload.put("error", error);
            audit.append(ACTOR, "mlflow.outbox.parked", write.subject(), payload);
        }
    }

    private Duration untilNextDue() {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(NEXT_DUE);
             ResultSet rs = select.executeQuery()) {
            OffsetDateTime at = rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
            if (at == null) {
                return Duration.ofDays(1); // nothing pending: the loop's idle limit or a wake-up decides
            }
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return wait.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read when the next MLflow write is due", e);
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
