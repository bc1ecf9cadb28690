package dev.quantgate.mlflow.webhook;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEventSink;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Processes stored deliveries, asynchronously, exactly once, in arrival order per registered model.
 *
 * <p>Each delivery is processed in one transaction that claims it ({@code FOR UPDATE SKIP LOCKED},
 * only the oldest open delivery of its model), hands its {@link RegistryEvent} to the
 * {@link RegistryEventSink}, appends the audit events and marks it processed. A crash at any moment
 * either commits all of it or none of it, so nothing is lost and nothing is applied twice.
 * A failed attempt is recorded in a separate transaction and retried after an exponentially growing
 * wait (during which later deliveries of the same model wait too); after
 * {@code quantgate.webhook.inbox.max-attempts} failures the delivery is parked with its error
 * until an admin retries it, and its model's later deliveries proceed.
 */
@ApplicationScoped
public class InboxProcessor {

    static final String ACTOR = "mlflow-webhook";
    private static final Logger LOG = Logger.getLogger(InboxProcessor.class);
    private static final int MAX_ERROR = 2000;

    private static final String OPEN = "('pending', 'retrying')";
    private static final String CLAIM = "SELECT d.id, d.delivery_id, d.body, d.attempts, d.received_at, d.receipt_audited,"
            + " d.entity, d.action, d.model_name FROM webhook_delivery d"
            + " WHERE d.status IN " + OPEN + " AND d.next_attempt_at <= now()"
            + " AND NOT EXISTS (SELECT 1 FROM webhook_delivery e"
            + "   WHERE e.order_key = d.order_key AND e.status IN " + OPEN + " AND e.id < d.id)"
            + " AND NOT (d.id = ANY (?))"
            + " ORDER BY d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED";
    private static final String MARK_DONE = "UPDATE webhook_delivery SET status = ?, attempts = attempts + 1,"
            + " processed_at = now(), mirror_changes = ?, last_error = NULL, receipt_audited = true WHERE id = ?";
    private static final String MARK_FAILED = "UPDATE webhook_delivery SET status = ?, attempts = ?, last_error = ?,"
            + " next_attempt_at = ?, receipt_audited = true"
            + " WHERE id = ? AND attempts = ? AND status IN " + OPEN;

    private record Claimed(long id, String deliveryId, String body, int attempts, Instant receivedAt,
                           boolean receiptAudited, String entity, String action, String model) {
    }

    private final AgroalDataSource dataSource;
    private final RegistryEventSink sink;
    private final AuditLog auditLog;
    private final WebhookConfig.Inbox config;
    private final MeterRegistry meters;
    private final Semaphore wakeups = new Semaphore(0);
    private final BackgroundThreads threads = new BackgroundThreads();
    /**
     * Deliveries this process is handling: a failed attempt rolls back (releasing the row lock)
     * before its failure is recorded, and no other thread may take the delivery in between.
     */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

    public InboxProcessor(AgroalDataSource dataSource, RegistryEventSink sink, AuditLog auditLog,
                          WebhookConfig config, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.sink = sink;
        this.auditLog = auditLog;
        this.config = config.inbox();
        this.meters = meters;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.warn("Webhook inbox processing is off (quantgate.webhook.inbox.enabled=false)");
            return;
        }
        threads.start("webhook-inbox", Math.max(1, config.workers()), this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        threads.stop();
    }

    /** New deliveries are stored, or one was released for retry: look for work now. */
    public void wake() {
        if (wakeups.availablePermits() < threads.size()) {
            wakeups.release(threads.size());
        }
    }

    private void run() {
        while (threads.running()) {
            try {
                if (!processOne()) {
                    wakeups.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!threads.running()) {
                    return;
                }
                LOG.errorf(e, "Webhook inbox processing failed; trying again in a second");
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Claims and processes one due delivery.
     *
     * @return whether there was one
     */
    public boolean processOne() {
        Claimed[] claimed = new Claimed[1];
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                Claimed d = claim();
                if (d == null) {
                    return false;
                }
                if (!inFlight.add(d.id())) {
                    // Another thread's attempt failed and rolled back, and its failure is not recorded yet.
                    return true;
                }
                claimed[0] = d;
                process(d);
                return true;
            });
        } catch (RuntimeException e) {
            if (claimed[0] == null) {
                throw e;
            }
            recordFailure(claimed[0], e);
            return true;
        } finally {
            if (claimed[0] != null) {
                inFlight.remove(claimed[0].id());
            }
        }
    }

    private void process(Claimed d) throws MalformedDeliveryException, SQLException {
        MlflowDelivery delivery = MlflowDelivery.parse(d.body().getBytes(StandardCharsets.UTF_8));
        Optional<RegistryEvent> event = delivery.toEvent(d.deliveryId(), d.receivedAt());
        auditReceipt(d);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", delivery.eventType());
        payload.put("model", delivery.model());
        payload.put("attempt", d.attempts() + 1);
        if (event.isEmpty()) {
            markDone(d, "ignored", null);
            auditLog.append(ACTOR, "mlflow.delivery.ignored", subject(d), payload);
            meters.counter("quantgate.webhook.processed", "outcome", "ignored").increment();
            LOG.debugf("Ignored delivery %s: QuantGate does not consume %s", d.deliveryId(), delivery.eventType());
            return;
        }
        int changes = sink.apply(event.get());
        markDone(d, "processed", changes);
        payload.put("kind", event.get().kind().name());
        payload.put("version", event.get().version());
        payload.put("key", event.get().key());
        payload.put("mirror_changes", changes);
        auditLog.append(ACTOR, "mlflow.delivery.processed", subject(d), payload);
        meters.counter("quantgate.webhook.processed", "outcome", "processed").increment();
    }

    private void recordFailure(Claimed d, RuntimeException failure) {
        int attempts = d.attempts() + 1;
        boolean park = attempts >= Math.max(1, config.maxAttempts());
        Duration wait = backoff(attempts);
        String error = describe(failure);
        QuarkusTransaction.requiringNew().run(() -> {
            int updated;
            try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(MARK_FAILED)) {
                update.setString(1, park ? "parked" : "retrying");
                update.setInt(2, attempts);
                update.setString(3, error);
                update.setObject(4, OffsetDateTime.ofInstant(Instant.now().plus(wait), ZoneOffset.UTC));
                update.setLong(5, d.id());
                update.setInt(6, d.attempts());
                updated = update.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot record the failure of delivery " + d.deliveryId(), e);
            }
            if (updated == 0) {
                return; // another worker got to it meanwhile; its outcome stands
            }
            auditReceipt(d);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("attempt", attempts);
            payload.put("error", error);
            payload.put("model", d.model());
            if (!park) {
                payload.put("retry_in_ms", wait.toMillis());
            }
            auditLog.append(ACTOR, park ? "mlflow.delivery.parked" : "mlflow.delivery.failed", subject(d), payload);
        });
        meters.counter("quantgate.webhook.processed", "outcome", park ? "parked" : "failed").increment();
        if (park) {
            LOG.errorf("Parked MLflow delivery %s after %d failed attempts: %s", d.deliveryId(), attempts, error);
        } else {
            LOG.warnf("Delivery %s failed (attempt %d), retrying in %d ms: %s", d.deliveryId(), attempts,
                    wait.toMillis(), error);
        }
    }

    /** The wait after the given number of failed attempts: initial × 2^(attempts-1), at most the maximum. */
    Duration backoff(int attempts) {
        long initial = Math.max(1, config.backoffInitial().toMillis());
        long max = Math.max(initial, config.backoffMax().toMillis());
        int doublings = Math.min(Math.max(0, attempts - 1), 40);
        long millis = initial > (max >> doublings) ? max : Math.min(max, initial << doublings);
        return Duration.ofMillis(millis);
    }

    private Claimed claim() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(CLAIM)) {
            select.setArray(1, c.createArrayOf("bigint", inFlight.toArray(new Long[0])));
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Claimed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getBoolean(6), rs.getString(7),
                        rs.getString(8), rs.getString(9));
            }
        }
    }

    private void markDone(Claimed d, String status, Integer changes) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(MARK_DONE)) {
            update.setString(1, status);
            if (changes == null) {
                update.setNull(2, java.sql.Types.INTEGER);
            } else {
                update.setInt(2, changes);
            }
            update.setLong(3, d.id());
            update.executeUpdate();
        }
    }

    /** The 'accepted' event, written once per delivery by whichever transaction first handles it. */
    private void auditReceipt(Claimed d) {
        if (d.receiptAudited()) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", d.entity() + "." + d.action());
        payload.put("model", d.model());
        payload.put("received_at", d.receivedAt().toString());
        auditLog.append(ACTOR, "mlflow.delivery.accepted", subject(d), payload);
    }

    private static String subject(Claimed d) {
        return "delivery:" + d.deliveryId();
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root
                && (root.getMessage() == null || root instanceof io.quarkus.narayana.jta.QuarkusTransactionException)) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR);
    }
}
