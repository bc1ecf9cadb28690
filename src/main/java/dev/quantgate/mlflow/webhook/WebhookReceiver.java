package dev.quantgate.mlflow.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quantgate.api.DatabaseFailures;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Problem;
import dev.quantgate.logging.LogText;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /api/v1/mlflow/webhooks}: MLflow OSS webhook deliveries. Open to anonymous callers
 * (the equivalent of {@code @PermitAll}); a delivery is authenticated by its HMAC signature.
 *
 * <p>It is a Vert.x route rather than a JAX-RS resource so that the body is counted while it
 * streams in (a body over the limit is refused with 413 and never held whole) and so that the hot
 * path never blocks a thread: signature check and parsing on the event loop, then the
 * {@link InboxWriter} stores the delivery in a group commit and the answer follows that commit.
 *
 * <p>Answers: 202 stored (new), 200 already stored (duplicate delivery id, not processed again),
 * 400 malformed body with a valid signature (stored as rejected), 401 unsigned / bad signature /
 * timestamp too far from now, 413 body too large, 503 inbox unavailable (MLflow retries 5xx).
 */
@ApplicationScoped
public class WebhookReceiver {

    public static final String PATH = "/api/v1/mlflow/webhooks";
    static final String DELIVERY_ID = "X-MLflow-Delivery-Id";
    static final String TIMESTAMP = "X-MLflow-Timestamp";
    static final String SIGNATURE = "X-MLflow-Signature";
    private static final int MAX_DELIVERY_ID = 200;
    /** After refusing a too-large body, this many bytes are read and dropped before the connection is closed. */
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(WebhookReceiver.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final WebhookConfig config;
    private final WebhookClock clock;
    private final InboxWriter writer;
    private final WebhookRejections rejections;
    private final SignatureVerifier verifier;
    private final MeterRegistry meters;

    public WebhookReceiver(WebhookConfig config, WebhookClock clock, InboxWriter writer,
                           WebhookRejections rejections, MeterRegistry meters) {
        this.config = config;
        this.clock = clock;
        this.writer = writer;
        this.rejections = rejections;
        this.meters = meters;
        this.verifier = new SignatureVerifier(config.secrets().orElse(List.of()));
        if (!verifier.hasSecrets() && !config.allowUnsigned()) {
            LOG.warn("No webhook secret is configured (QUANTGATE_WEBHOOK_SECRETS): every MLflow delivery will be refused");
        }
        if (config.allowUnsigned()) {
            LOG.warn("quantgate.webhook.allow-unsigned=true: deliveries without a signature are accepted");
        }
    }

    void register(@Observes Router router) {
        // Before the REST layer's routes: this path is served here only.
        router.post(PATH).order(-100).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long limit = config.maxBodyBytes();
        String declared = request.getHeader("Content-Length");
        boolean[] refused = {false};
        long length = -1;
        if (declared != null) {
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length > limit) {
                // Answered at once; what the client still sends is read and dropped, never kept.
                refused[0] = true;
                refuseTooLarge(ctx, "Content-Length " + length);
            }
        }
        Buffer body = Buffer.buffer(refused[0] ? 0 : length >= 0 ? (int) length : 4096);
        long[] received = {0};
        request.handler(chunk -> {
            received[0] += chunk.length();
            if (refused[0]) {
                if (received[0] > DRAIN_LIMIT) {
                    request.connection().close();
                }
                return;
            }
            if (received[0] > limit) {
                refused[0] = true;
                refuseTooLarge(ctx, "more than " + limit + " bytes streamed");
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> LOG.debugf("Webhook request failed while reading: %s", e.getMessage()));
        request.endHandler(v -> {
            if (!refused[0]) {
                try {
                    receive(ctx, body.getBytes());
                } catch (RuntimeException | StackOverflowError e) {
                    // Never an uncaught exception on the event loop: the caller gets an answer.
                    String reference = UUID.randomUUID().toString();
                    LOG.errorf(e, "Unexpected error receiving MLflow delivery (reference %s)", reference);
                    respond(ctx, 500, Problem.MEDIA_TYPE, problem(ErrorCode.INTERNAL_ERROR,
                            "Something went wrong on our side; the logs carry the details under reference " + reference));
                }
            }
        });
        request.resume();
    }

    private void receive(RoutingContext ctx, byte[] body) {
        HttpServerRequest request = ctx.request();
        String deliveryId = request.getHeader(DELIVERY_ID);
        String timestamp = request.getHeader(TIMESTAMP);
        String signature = request.getHeader(SIGNATURE);
        if (deliveryId == null || deliveryId.isBlank() || timestamp == null || timestamp.isBlank()) {
            rejections.refuse(ctx, Rejection.MISSING_HEADERS, deliveryId,
                    "A delivery needs the headers " + DELIVERY_ID + " and " + TIMESTAMP);
            return;
        }
        if (hasControlCharacter(deliveryId)) {
            rejections.refuse(ctx, Rejection.INVALID_DELIVERY_ID, null,
                    DELIVERY_ID + " holds a control character (such as NUL); MLflow sends a UUID");
            return;
        }
        if (deliveryId.length() > MAX_DELIVERY_ID) {
            rejections.refuse(ctx, Rejection.MISSING_HEADERS, null,
                    DELIVERY_ID + " is longer than " + MAX_DELIVERY_ID + " characters");
            return;
        }
        if (signature == null) {
            if (!config.allowUnsigned()) {
                rejections.refuse(ctx, Rejection.UNSIGNED, deliveryId,
                        "The delivery carries no " + SIGNATURE + "; create the MLflow webhook with a secret");
                return;
            }
        } else if (!verifier.verify(deliveryId, timestamp, body, signature)) {
            rejections.refuse(ctx, Rejection.BAD_SIGNATURE, deliveryId,
                    "The " + SIGNATURE + " does not match the delivery under any configured secret");
            return;
        }
        long signedAt;
        try {
            signedAt = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            rejections.refuse(ctx, Rejection.STALE_TIMESTAMP, deliveryId,
                    TIMESTAMP + " must be Unix time in seconds");
            return;
        }
        long skew = Math.abs(clock.now().getEpochSecond() - signedAt);
        if (skew > config.timestampTolerance().toSeconds()) {
            rejections.refuse(ctx, Rejection.STALE_TIMESTAMP, deliveryId, TIMESTAMP + " is " + skew
                    + " s away from this server's clock (at most " + config.timestampTolerance().toSeconds() + " s)");
            return;
        }
        MlflowDelivery delivery;
        try {
            delivery = MlflowDelivery.parse(body);
        } catch (MalformedDeliveryException e) {
            rejections.refuseMalformed(ctx, e, deliveryId, signedAt, body);
            return;
        }
        String orderKey = delivery.model() != null ? "model:" + delivery.model() : "delivery:" + deliveryId;
        InboxWriter.Row row = new InboxWriter.Row(deliveryId, signedAt, delivery.entity(), delivery.action(),
                delivery.model(), orderKey, new String(body, StandardCharsets.UTF_8));
        Optional<String> unstorable = InboxRowLimits.problem(row);
        if (unstorable.isPresent()) {
            // Refused alone, before it joins a group commit: its neighbours are stored.
            rejections.refuseMalformed(ctx, new MalformedDeliveryException(Rejection.UNSTORABLE_FIELD.tag,
                    unstorable.get()), deliveryId, signedAt, body);
            return;
        }
        Context context = Vertx.currentContext();
        writer.store(row).whenComplete((outcome, failure) -> context.runOnContext(v -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof InboxWriter.UnstorableRowException refusedRow) {
                rejections.refuseMalformed(ctx, new MalformedDeliveryException(Rejection.UNSTORABLE_FIELD.tag,
                        refusedRow.getMessage()), deliveryId, signedAt, body);
            } else if (failure != null) {
                LOG.errorf("Could not store MLflow delivery %s: %s", LogText.escape(deliveryId),
                        LogText.escape(failure.getMessage()));
                ctx.response().putHeader("Retry-After", Integer.toString(DatabaseFailures.RETRY_AFTER_SECONDS));
                respond(ctx, 503, Problem.MEDIA_TYPE, problem(ErrorCode.SERVICE_UNAVAILABLE,
                        "The delivery could not be stored; MLflow retries it"));
            } else if (outcome == InboxWriter.Outcome.STORED) {
                meters.counter("quantgate.webhook.accepted", "outcome", "stored").increment();
                respond(ctx, 202, "application/json", ack(deliveryId, "accepted"));
            } else {
                meters.counter("quantgate.webhook.accepted", "outcome", "duplicate").increment();
                rejections.auditDuplicate(ctx, deliveryId,
                        () -> respond(ctx, 200, "application/json", ack(deliveryId, "duplicate")));
            }
        }));
    }

    private void refuseTooLarge(RoutingContext ctx, String what) {
        rejections.refuse(ctx, Rejection.BODY_TOO_LARGE, ctx.request().getHeader(DELIVERY_ID),
                "The body (" + what + ") exceeds the limit of " + config.maxBodyBytes() + " bytes");
    }

    static void respond(RoutingContext ctx, int status, String contentType, byte[] body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", contentType).end(Buffer.buffer(body));
    }

    static byte[] problem(ErrorCode code, String detail) {
        return json(Problem.of(code, detail, PATH));
    }

    static byte[] tooLarge(String detail) {
        return problem(ErrorCode.PAYLOAD_TOO_LARGE, detail);
    }

    private static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static byte[] ack(String deliveryId, String status) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("delivery_id", deliveryId);
        body.put("status", status);
        return json(body);
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Why a delivery was refused: the metric tag, the status and the problem it answers with. */
    enum Rejection {
        MISSING_HEADERS("missing_headers", 401),
        UNSIGNED("unsigned", 401),
        BAD_SIGNATURE("bad_signature", 401),
        STALE_TIMESTAMP("stale_timestamp", 401),
        BODY_TOO_LARGE("body_too_large", 413),
        INVALID_DELIVERY_ID("invalid_delivery_id", 400),
        MALFORMED_JSON("malformed_json", 400),
        INVALID_PAYLOAD("invalid_payload", 400),
        /** A field longer than its inbox column, or a NUL: the row cannot be stored as it is. */
        UNSTORABLE_FIELD("unstorable_field", 400);

        final String tag;
        final int status;

        Rejection(String tag, int status) {
            this.tag = tag;
            this.status = status;
        }

        static Rejection ofTag(String tag) {
            for (Rejection r : values()) {
                if (r.tag.equals(tag)) {
                    return r;
                }
            }
            return INVALID_PAYLOAD;
        }
    }
}
