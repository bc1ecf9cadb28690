package dev.quantgate.mlflow.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.kernel.Backoff;
import dev.quantgate.kernel.BackgroundLoop;
import dev.quantgate.kernel.Claims;
import dev.quantgate.kernel.ClaimRenewal;
import dev.quantgate.kernel.Lease;
import dev.quantgate.kernel.WorkQueue;
import dev.quantgate.kernel.WorkQueues;
import dev.quantgate.kernel.retry.AttemptEvent;
import dev.quantgate.kernel.retry.Decision;
import dev.quantgate.kernel.retry.RetryPolicy;
import dev.quantgate.mlflow.client.MlflowConfig;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.client.MlflowWriteJson;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends due outbox writes to MLflow with no transaction open while the HTTP call is in flight: a
 * write is claimed in a short committed transaction (token and expiry, so several dispatchers, in one
 * or several processes, never send it at the same time), sent, and its outcome recorded in a new short
 * transaction that checks the claim. Claims are short and renewed while their write is sent ({@link ClaimRenewal}),
 * so a claim left by a crash lapses within one claim length and the write is sent again.
 * Writes to one model go in order: a model's write waits while an earlier one is pending.
 * MLflow unreachable, 429 or 5xx: retried with exponential backoff. Any other refusal: parked, with
 * MLflow's error, until an admin retries it.
 */
@Startup
@ApplicationScoped
public class OutboxDispatcher {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);
    static final String ACTOR = "mlflow-outbox";
    static final String QUEUE = "mlflow-outbox";

    /** Pending, and the oldest pending write to its model. */
    private static final String HEAD = "q.status = 'PENDING' AND NOT EXISTS (SELECT 1 FROM mlflow_outbox earlier"
            + " WHERE earlier.model_name = q.model_name AND earlier.status = 'PENDING' AND earlier.id < q.id)";
    private static final String CLAIM = Claims.claimStatement("mlflow_outbox", ", attempts = attempts + 1", HEAD,
            "q.next_attempt_at <= ?", "id, model_name, description, kind, write_json, created_at, attempts");
    private static final String NEXT_DUE = Claims.nextDueStatement("mlflow_outbox", HEAD, "q.next_attempt_at");
    private static final String RECORD = "UPDATE mlflow_outbox SET status = ?, last_error = ?, next_attempt_at = ?,"
            + " sent_at = ?, result = ?, claim_token = NULL, claimed_until = NULL WHERE id = ? AND claim_token = ?";

    /**
     * A write this dispatcher has claimed; {@code attempts} counts the attempt being made. {@code write} is
     * {@code null} when the stored form cannot be read ({@code unreadable} says why); {@code answer} is set by
     * the sender when MLflow took it.
     */
    record ClaimedWrite(long id, String model, String description, MlflowWrite write, String unreadable,
                        Instant madeAt, int attempts, String token, AtomicReference<JsonNode> answer) {

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

    private final MlflowConfig config;
    private final MlflowRegistryClient mlflow;
    private final WriteSender sender;
    private final AgroalDataSource dataSource;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final Event<WriteConfirmed> confirmed;
    private final Event<WriteParked> parked;
    /** Short claims, renewed while their write is sent: a claim left by a crash lapses within one length. */
    private final ClaimRenewal claims;
    private final WorkQueue queue;

    public OutboxDispatcher(MlflowConfig config, MlflowRegistryClient mlflow, AgroalDataSource dataSource,
                            AuditLog audit, WorkQueues queues, ObjectMapper json, Event<WriteConfirmed> confirmed,
                            Event<WriteParked> parked, Clock clock) {
        this.config = config;
        this.mlflow = mlflow;
        this.sender = new WriteSender(mlflow);
        this.dataSource = dataSource;
        this.audit = audit;
        this.json = json;
        this.confirmed = confirmed;
        this.parked = parked;
        this.claims = new ClaimRenewal(QUEUE, dataSource, "mlflow_outbox", clock, config.outbox().claimLength());
        Backoff backoff = new Backoff(config.outbox().initialBackoff(), config.outbox().maxBackoff(),
                Backoff.Jitter.EQUAL);
        // DESIGN: a write is retried until MLflow accepts it; only a refusal parks it.
        this.queue = queues.create(QUEUE, "quantgate.mlflow.outbox.attempts", new RetryPolicy(Integer.MAX_VALUE, backoff));
        String every = config.outbox().dispatchEvery().trim();
        if (!every.equalsIgnoreCase("off")) {
            queue.startLoop(1, DurationConverter.parseDuration(every), this::step);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        claims.close();
    }

    /** A write was committed or released: send what is due now (no effect when dispatching is {@code off}). */
    public void wake() {
        queue.wake();
    }

    private Duration step() {
        if (!mlflow.configured()) {
            return BackgroundLoop.NOTHING_DUE;
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
            try (ClaimRenewal.Held held = claims.hold(write.id(), write.token())) {
                queue.attempt(Long.toString(write.id()), write.attempts(), write, List.of(sender),
                        attempt -> QuarkusTransaction.requiringNew().run(() -> record(write, attempt)));
            }
            attempts++;
        }
        return attempts;
    }

    private ClaimedWrite claim() throws SQLException {
        return Claims.claimOne(dataSource, CLAIM, queue.lease(claims.length()), (rs, lease) -> {
            MlflowWrite write = null;
            String unreadable = null;
            try {
                write = MlflowWriteJson.read(rs.getString(4), rs.getString(5), json);
            } catch (IllegalArgumentException e) {
                unreadable = e.getMessage();
            }
            return new ClaimedWrite(rs.getLong(1), rs.getString(2), rs.getString(3), write, unreadable,
                    rs.getObject(6, OffsetDateTime.class).toInstant(), rs.getInt(7), lease.token(),
                    new AtomicReference<>());
        });
    }

    private void record(ClaimedWrite write, AttemptEvent.AfterAttempt attempt) {
        Decision decision = attempt.decision();
        String status = MlflowOutboxEntity.PENDING;
        String error = null;
        Instant next = null;
        Instant sentAt = null;
        JsonNode answer = null;
        if (decision instanceof Decision.Completed) {
            status = MlflowOutboxEntity.SENT;
            sentAt = queue.now();
            answer = write.answer().get();
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
            update.setObject(3, Lease.utc(next == null ? queue.now() : next));
            update.setObject(4, Lease.utc(sentAt));
            update.setString(5, answer == null ? null : answer.toString());
            update.setLong(6, write.id());
            update.setString(7, write.token());
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
            // in this transaction: what an observer records commits with the write's SENT, or neither does
            confirmed.fire(new WriteConfirmed(write.id(), write.write(), answer));
        } else if (decision instanceof Decision.RetryAt retry) {
            LOG.warnf("MLflow write %d (%s %s) failed, attempt %d, next at %s: %s", write.id(), write.model(),
                    write.description(), write.attempts(), retry.at(), retry.reason());
        } else {
            LOG.errorf("MLflow write %d (%s %s) parked after %d attempt(s): %s", write.id(), write.model(),
                    write.description(), write.attempts(), error);
            Map<String, Object> payload = write.details();
            payload.put("error", error);
            audit.append(ACTOR, "mlflow.outbox.parked", write.subject(), payload);
            parked.fire(new WriteParked(write.id(), write.write(), error));
        }
    }

    private Duration untilNextDue() {
        return queue.until(Claims.nextDue(dataSource, NEXT_DUE));
    }
}
