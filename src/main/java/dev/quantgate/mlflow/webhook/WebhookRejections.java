package dev.quantgate.mlflow.webhook;

import dev.quantgate.api.ErrorCode;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.mlflow.webhook.WebhookReceiver.Rejection;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refused deliveries: each is counted ({@code quantgate.webhook.rejected{reason}}), logged with its
 * reason (never the secret or the body) and recorded in the audit trail before the refusal is
 * answered; a malformed body with a valid signature is also stored in the inbox as {@code rejected}.
 * The database work runs on a worker thread, never on the event loop.
 */
@ApplicationScoped
public class WebhookRejections {

    static final String ACTOR = "mlflow-webhook";
    private static final Logger LOG = Logger.getLogger(WebhookRejections.class);
    private static final int MAX_ERROR = 2000;

    private static final String INSERT_REJECTED = "INSERT INTO webhook_delivery"
            + " (delivery_id, signed_at, order_key, body, status, last_error, receipt_audited)"
            + " VALUES (?, ?, ?, ?, 'rejected', ?, true) ON CONFLICT (delivery_id) DO NOTHING";

    private final AuditLog auditLog;
    private final AgroalDataSource dataSource;
    private final MeterRegistry meters;

    public WebhookRejections(AuditLog auditLog, AgroalDataSource dataSource, MeterRegistry meters) {
        this.auditLog = auditLog;
        this.dataSource = dataSource;
        this.meters = meters;
    }

    /** Refuses a delivery that is not authenticated or too large. */
    void refuse(RoutingContext ctx, Rejection rejection, String deliveryId, String detail) {
        String safeId = printable(deliveryId);
        String remote = remote(ctx);
        count(rejection);
        LOG.warnf("Refused MLflow webhook delivery %s from %s (%s): %s", safeId, remote, rejection.tag, detail);
        ctx.vertx().executeBlocking(() -> {
            auditLog.append(ACTOR, "mlflow.delivery.rejected", subject(safeId), payload(rejection, safeId, remote, detail));
            return null;
        }, false).onComplete(done -> {
            if (done.failed()) {
                LOG.errorf(done.cause(), "Could not audit the refusal of delivery %s", safeId);
            }
            ErrorCode code = rejection.status == 401 ? ErrorCode.UNAUTHENTICATED : ErrorCode.BAD_REQUEST;
            byte[] body = rejection.status == 413
                    ? WebhookReceiver.tooLarge(detail)
                    : WebhookReceiver.problem(code, detail);
            WebhookReceiver.respond(ctx, rejection.status, "application/problem+json", body);
        });
    }

    /** Refuses a delivery whose signature is valid but whose body is not an MLflow event; stores it as rejected. */
    void refuseMalformed(RoutingContext ctx, MalformedDeliveryException e, String deliveryId, long signedAt, byte[] body) {
        Rejection rejection = Rejection.ofTag(e.reason());
        String remote = remote(ctx);
        count(rejection);
        LOG.warnf("Refused MLflow webhook delivery %s from %s (%s): %s", printable(deliveryId), remote, rejection.tag,
                e.getMessage());
        ctx.vertx().executeBlocking(() -> {
            QuarkusTransaction.requiringNew().run(() -> {
                storeRejected(deliveryId, signedAt, body, e.getMessage());
                auditLog.append(ACTOR, "mlflow.delivery.rejected", subject(deliveryId),
                        payload(rejection, deliveryId, remote, e.getMessage()));
            });
            return null;
        }, false).onComplete(done -> {
            if (done.failed()) {
                LOG.errorf(done.cause(), "Could not record the rejected delivery %s", printable(deliveryId));
                WebhookReceiver.respond(ctx, 503, "application/problem+json", WebhookReceiver.problem(
                        ErrorCode.SERVICE_UNAVAILABLE, "The delivery could not be recorded; MLflow retries it"));
                return;
            }
            ErrorCode code = rejection == Rejection.MALFORMED_JSON ? ErrorCode.MALFORMED_JSON : ErrorCode.BAD_REQUEST;
            WebhookReceiver.respond(ctx, 400, "application/problem+json",
                    WebhookReceiver.problem(code, e.getMessage()));
        });
    }

    /** Records that an already stored delivery arrived again (an MLflow retry), then answers. */
    void auditDuplicate(RoutingContext ctx, String deliveryId, Runnable answer) {
        ctx.vertx().executeBlocking(() -> {
            auditLog.append(ACTOR, "mlflow.delivery.duplicate", subject(deliveryId), Map.of("delivery_id", deliveryId));
            return null;
        }, false).onComplete(done -> {
            if (done.failed()) {
                LOG.errorf(done.cause(), "Could not audit the repeated delivery %s", printable(deliveryId));
            }
            answer.run();
        });
    }

    private void storeRejected(String deliveryId, long signedAt, byte[] body, String error) {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(INSERT_REJECTED)) {
            insert.setString(1, deliveryId);
            insert.setLong(2, signedAt);
            insert.setString(3, "delivery:" + deliveryId);
            // PostgreSQL text holds no NUL; the body is kept for inspection, not replayed.
            insert.setString(4, new String(body, StandardCharsets.UTF_8).replace('\0', '\uFFFD'));
            insert.setString(5, truncate(error));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot store rejected delivery: " + e.getMessage(), e);
        }
    }

    private void count(Rejection rejection) {
        meters.counter("quantgate.webhook.rejected", "reason", rejection.tag).increment();
    }

    private static Map<String, Object> payload(Rejection rejection, String deliveryId, String remote, String detail) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("reason", rejection.tag);
        payload.put("status", rejection.status);
        payload.put("delivery_id", deliveryId);
        payload.put("remote", remote);
        payload.put("detail", truncate(detail));
        return payload;
    }

    private static String subject(String deliveryId) {
        return "delivery:" + (deliveryId == null ? "unknown" : deliveryId);
    }

    private static String remote(RoutingContext ctx) {
        io.vertx.core.net.SocketAddress address = ctx.request().remoteAddress();
        return address == null ? "unknown" : address.hostAddress();
    }

    /** A header value safe to log and audit: printable ASCII, at most 100 characters. */
    static String printable(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), 100));
        for (int i = 0; i < value.length() && out.length() < 100; i++) {
            char ch = value.charAt(i);
            out.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        }
        return out.toString();
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
    }
}
