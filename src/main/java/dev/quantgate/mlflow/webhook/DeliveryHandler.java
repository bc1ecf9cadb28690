package dev.quantgate.mlflow.webhook;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.kernel.Failures;
import dev.quantgate.kernel.Lease;
import dev.quantgate.kernel.retry.Outcome;
import dev.quantgate.kernel.retry.RetryHandler;
import dev.quantgate.mlflow.client.MlflowException;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEventSink;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One attempt at a claimed delivery: parse it, {@link RegistryEventSink#prepare prepare} its event
 * with no transaction open (the sink may read MLflow), then, in one short transaction, apply it,
 * mark the delivery done (only while the claim is still ours) and audit it.
 *
 * <p>Failures are told apart: a body that is not an event, an event the mirror cannot take (a
 * version that is not a number, a value the database cannot store) or a refusal from MLflow are
 * permanent; MLflow unavailable or the database failing in a passing way are transient. Stored
 * reasons are for people; the technical detail is logged under the reference the reason names.
 */
@ApplicationScoped
public class DeliveryHandler implements RetryHandler<InboxProcessor.Claimed> {

    private static final Logger LOG = Logger.getLogger(DeliveryHandler.class);
    private static final String MARK_DONE = "UPDATE webhook_delivery SET status = ?, attempts = attempts + 1,"
            + " processed_at = ?, mirror_changes = ?, last_error = ?, receipt_audited = true,"
            + " claim_token = NULL, claimed_until = NULL WHERE id = ? AND claim_token = ?";

    /** The claim expired and another processor took the delivery: this attempt's transaction must roll back. */
    private static final class ClaimLost extends RuntimeException {
        ClaimLost() {
            super("claim lost", null, false, false);
        }
    }

    private final AgroalDataSource dataSource;
    private final RegistryEventSink sink;
    private final AuditLog auditLog;
    private final Clock clock;

    public DeliveryHandler(AgroalDataSource dataSource, RegistryEventSink sink, AuditLog auditLog, Clock clock) {
        this.dataSource = dataSource;
        this.sink = sink;
        this.auditLog = auditLog;
        this.clock = clock;
    }

    @Override
    public Outcome handle(InboxProcessor.Claimed d) {
        MlflowDelivery delivery;
        Optional<RegistryEvent> event;
        try {
            delivery = MlflowDelivery.parse(d.body().getBytes(StandardCharsets.UTF_8));
            event = delivery.toEvent(d.deliveryId(), d.receivedAt());
        } catch (MalformedDeliveryException e) {
            return new Outcome.FailedForGood(Failures.clip("The stored delivery is not a usable MLflow event: "
                    + e.getMessage()));
        }
        try {
            RegistryEventSink.Prepared prepared = event.map(sink::prepare).orElse(null); // no transaction open
            QuarkusTransaction.requiringNew().run(() -> complete(d, delivery, prepared));
            return new Outcome.Done(prepared == null || prepared.ignoredReason().isPresent() ? "ignored" : "processed");
        } catch (RuntimeException e) {
            return classify(d, e);
        }
    }

    private void complete(InboxProcessor.Claimed d, MlflowDelivery delivery, RegistryEventSink.Prepared prepared) {
        auditReceipt(d);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", delivery.eventType());
        payload.put("model", delivery.model());
        payload.put("attempt", d.attempts() + 1);
        if (prepared != null && prepared.ignoredReason().isPresent()) {
            // e.g. MLflow's "test webhook" example delivery, for a model MLflow says does not exist
            String reason = Failures.clip(prepared.ignoredReason().get());
            markDone(d, "ignored", null, reason);
            payload.put("reason", reason);
            auditLog.append(InboxProcessor.ACTOR, "mlflow.delivery.ignored", d.subject(), payload);
            return;
        }
        if (prepared == null) {
            markDone(d, "ignored", null, null);
            auditLog.append(InboxProcessor.ACTOR, "mlflow.delivery.ignored", d.subject(), payload);
            LOG.debugf("Ignored delivery %s: QuantGate does not consume %s", d.deliveryId(),
                    Failures.escape(delivery.eventType()));
            return;
        }
        int changes = sink.apply(prepared);
        markDone(d, "processed", changes, null);
        RegistryEvent event = prepared.event();
        payload.put("kind", event.kind().name());
        payload.put("version", event.version());
        payload.put("key", event.key());
        payload.put("mirror_changes", changes);
        auditLog.append(InboxProcessor.ACTOR, "mlflow.delivery.processed", d.subject(), payload);
    }

    private void markDone(InboxProcessor.Claimed d, String status, Integer changes, String note) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(MARK_DONE)) {
            update.setString(1, status);
            update.setObject(2, Lease.utc(clock.instant()));
            if (changes == null) {
                update.setNull(3, Types.INTEGER);
            } else {
                update.setInt(3, changes);
            }
            update.setString(4, note);
            update.setLong(5, d.id());
            update.setString(6, d.token());
            if (update.executeUpdate() != 1) {
                throw new ClaimLost();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot mark delivery " + d.deliveryId() + " done", e);
        }
    }

    /** The 'accepted' event, written once per delivery by whichever transaction first records its outcome. */
    void auditReceipt(InboxProcessor.Claimed d) {
        if (d.receiptAudited()) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", d.entity() + "." + d.action());
        payload.put("model", d.model());
        payload.put("received_at", d.receivedAt().toString());
        auditLog.append(InboxProcessor.ACTOR, "mlflow.delivery.accepted", d.subject(), payload);
    }

    private static Outcome classify(InboxProcessor.Claimed d, RuntimeException e) {
        if (find(e, ClaimLost.class) != null) {
            return new Outcome.RetryLater("Another processor took this delivery over after this one's claim expired");
        }
        MlflowException mlflow = find(e, MlflowException.class);
        if (mlflow != null) {
            String text = Failures.clip(String.valueOf(mlflow.getMessage()));
            return mlflow.retryable() ? new Outcome.RetryLater(text)
                    : new Outcome.FailedForGood("MLflow refused a read this delivery needs: " + text);
        }
        if (Failures.isBadData(e)) {
            return new Outcome.FailedForGood(Failures.logged(LOG, Logger.Level.WARN,
                    "The registry mirror cannot store this delivery: " + badData(e) + "; parked without retrying", e));
        }
        if (Failures.isTransientDatabase(e)) {
            return new Outcome.RetryLater(Failures.logged(LOG, Logger.Level.WARN,
                    "The database was unavailable or the change collided with a concurrent one", e));
        }
        IllegalArgumentException refused = find(e, IllegalArgumentException.class);
        if (refused != null) {
            return new Outcome.FailedForGood(Failures.logged(LOG, Logger.Level.WARN,
                    "The registry mirror cannot apply this delivery: " + refused.getMessage(), e));
        }
        return new Outcome.RetryLater(Failures.logged(LOG, Logger.Level.ERROR,
                "Unexpected error while applying delivery " + d.deliveryId(), e));
    }

    private static String badData(Throwable e) {
        return switch (Failures.sqlState(e).orElse("")) {
            case "22001" -> "a value is longer than the mirror can hold";
            case "22021" -> "a value holds a character that cannot be stored (such as NUL)";
            case "22P02", "22003" -> "a value is not a valid number";
            case "23502" -> "a required value is missing";
            default -> "the database refused one of its values";
        };
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
