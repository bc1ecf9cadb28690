package dev.quantgate.mlflow.webhook;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.kernel.Backoff;
import dev.quantgate.kernel.ClaimRenewal;
import dev.quantgate.kernel.Claims;
import dev.quantgate.kernel.Lease;
import dev.quantgate.kernel.WorkQueue;
import dev.quantgate.kernel.WorkQueues;
import dev.quantgate.kernel.retry.AttemptEvent;
import dev.quantgate.kernel.retry.Decision;
import dev.quantgate.kernel.retry.RetryPolicy;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
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
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Processes stored deliveries, asynchronously, exactly once, in arrival order per registered model.
 *
 * <p>No MLflow call happens while a transaction is open. A delivery is first <em>claimed</em> in a
 * short committed transaction (a token and an expiry, so other processors skip it and a crash leaves
 * it reclaimable; only the oldest open delivery of its model can be claimed, so a model's later
 * deliveries wait while an earlier one is claimed or retrying). The {@link DeliveryHandler} then
 * prepares the event outside any transaction and applies it in a second short transaction that also
 * marks the delivery done, if the claim is still this processor's. A failed attempt is recorded in
 * its own transaction: a transient failure is retried with backoff (parked after
 * {@code quantgate.webhook.inbox.max-attempts}), a permanent one is parked at once with its reason,
 * and the model's later deliveries go on.
 */
@Startup
@ApplicationScoped
public class InboxProcessor {

    static final String ACTOR = "mlflow-webhook";
    static final String QUEUE = "webhook-inbox";
    private static final Logger LOG = Logger.getLogger(InboxProcessor.class);

    private static final String OPEN = "('pending', 'retrying')";
    /** Open, and the oldest open delivery of its model (its ordering key). */
    private static final String HEAD = "q.status IN " + OPEN + " AND NOT EXISTS (SELECT 1 FROM webhook_delivery e"
            + " WHERE e.order_key = q.order_key AND e.status IN " + OPEN + " AND e.id < q.id)";
    private static final String CLAIM = Claims.claimStatement("webhook_delivery", "", HEAD,
            "(q.next_attempt_at IS NULL OR q.next_attempt_at <= ?)",
            "id, delivery_id, body, attempts, received_at, receipt_audited, entity, action, model_name");
    /** Never tried counts as due now (the parameter). */
    private static final String NEXT_DUE = Claims.nextDueStatement("webhook_delivery", HEAD,
            "COALESCE(q.next_attempt_at, ?)");
    private static final String MARK_FAILED = "UPDATE webhook_delivery SET status = ?, attempts = ?, last_error = ?,"
            + " next_attempt_at = ?, receipt_audited = true, claim_token = NULL, claimed_until = NULL"
            + " WHERE id = ? AND claim_token = ? AND status IN " + OPEN;

    /** A delivery this processor has claimed: its row as claimed, and the claim's token. */
    record Claimed(long id, String deliveryId, String body, int attempts, Instant receivedAt,
                   boolean receiptAudited, String entity, String action, String model, String token) {

        String subject() {
            return "delivery:" + deliveryId;
        }
    }

    private final WebhookConfig.Inbox config;
    private final AgroalDataSource dataSource;
    private final DeliveryHandler handler;
    private final AuditLog auditLog;
    private final WorkQueue queue;
    /** Claims renewed while their delivery is processed: a claim left by a crash lapses within one length. */
    private final ClaimRenewal claims;

    public InboxProcessor(WebhookConfig config, AgroalDataSource dataSource, DeliveryHandler handler,
                          AuditLog auditLog, WorkQueues queues, Clock clock) {
        this.config = config.inbox();
        this.claims = new ClaimRenewal(QUEUE, dataSource, "webhook_delivery", clock, this.config.claimTimeout());
        this.dataSource = dataSource;
        this.handler = handler;
        this.auditLog = auditLog;
        Backoff backoff = new Backoff(this.config.backoffInitial(), this.config.backoffMax(),
                Backoff.Jitter.parse(this.config.backoffJitter()));
        this.queue = queues.create(QUEUE, "quantgate.webhook.processed",
                new RetryPolicy(this.config.maxAttempts(), backoff));
        if (this.config.enabled()) {
            queue.startLoop(this.config.workers(), this.config.pollInterval(), this::step);
        } else {
            LOG.warn("Webhook inbox processing is off (quantgate.webhook.inbox.enabled=false)");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        claims.close();
    }

    /** New deliveries are stored, or one was released for retry: look for work now. */
    public void wake() {
        queue.wake();
    }

    private Duration step() {
        if (processOne()) {
            return Duration.ZERO;
        }
        return untilNextDue();
    }

    /**
     * Claims and processes one due delivery.
     *
     * @return whether there was one
     */
    public boolean processOne() {
        Claimed d = QuarkusTransaction.requiringNew().call(this::claim);
        if (d == null) {
            return false;
        }
        try (ClaimRenewal.Held held = claims.hold(d.id(), d.token())) {
            queue.attempt(d.deliveryId(), d.attempts() + 1, d, List.of(handler), attempt -> record(d, attempt));
        }
        return true;
    }

    /** Records a failed attempt (a done one was recorded with its change); nothing when the claim was lost. */
    private void record(Claimed d, AttemptEvent.AfterAttempt attempt) {
        Decision decision = attempt.decision();
        if (decision instanceof Decision.Completed) {
            return;
        }
        boolean park = decision instanceof Decision.Parked;
        String reason = decision instanceof Decision.Parked parked ? parked.reason()
                : ((Decision.RetryAt) decision).reason();
        Instant next = decision instanceof Decision.RetryAt retry ? retry.at() : null;
        QuarkusTransaction.requiringNew().run(() -> {
            if (!markFailed(d, attempt.attempt(), park, reason, next)) {
                return; // the claim expired and another processor took the delivery; its outcome stands
            }
            handler.auditReceipt(d);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("attempt", attempt.attempt());
            payload.put("error", reason);
            payload.put("model", d.model());
            if (decision instanceof Decision.RetryAt retry) {
                payload.put("retry_in_ms", retry.delay().toMillis());
            }
            auditLog.append(ACTOR, park ? "mlflow.delivery.parked" : "mlflow.delivery.failed", d.subject(), payload);
        });
        if (park) {
            LOG.errorf("Parked MLflow delivery %s after attempt %d: %s", d.deliveryId(), attempt.attempt(), reason);
        } else {
            LOG.warnf("Delivery %s failed (attempt %d), retrying at %s: %s", d.deliveryId(), attempt.attempt(), next,
                    reason);
        }
    }

    private Claimed claim() throws SQLException {
        return Claims.claimOne(dataSource, CLAIM, queue.lease(config.claimTimeout()), (rs, lease) ->
                new Claimed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getBoolean(6), rs.getString(7),
                        rs.getString(8), rs.getString(9), lease.token()));
    }

    private boolean markFailed(Claimed d, int attempts, boolean park, String error, Instant next) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(MARK_FAILED)) {
            update.setString(1, park ? "parked" : "retrying");
            update.setInt(2, attempts);
            update.setString(3, error);
            update.setObject(4, Lease.utc(next));
            update.setLong(5, d.id());
            update.setString(6, d.token());
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record the failure of delivery " + d.deliveryId(), e);
        }
    }

    /** How long until the earliest open delivery at the head of its model's line is due (claims count as not due). */
    private Duration untilNextDue() {
        return queue.until(Claims.nextDue(dataSource, NEXT_DUE, queue.now()));
    }
}
