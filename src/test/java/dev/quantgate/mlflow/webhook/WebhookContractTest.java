package dev.quantgate.mlflow.webhook;

import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEvent.Kind;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the deliveries a real MLflow 3.5.1 sent ({@code ../shared/mlflow-fixtures/webhooks/}) byte
 * for byte, with their recorded headers and real signatures, and checks every way a delivery is
 * refused. The clock is fixed at the recording time ({@link WebhookTestProfile}).
 */
@QuarkusTest
@TestProfile(WebhookTestProfile.class)
class WebhookContractTest {

    @Inject
    ControllableSink sink;

    @Inject
    WebhookClock clock;

    @Inject
    dev.quantgate.testing.MutableClock testClock;

    @TestHTTPResource("/api/v1/mlflow/webhooks")
    URI webhookUrl;

    /** Recorded deliveries carry their real timestamps: replay them at the time they were signed. */
    @org.junit.jupiter.api.BeforeEach
    void atRecordingTime() {
        testClock.set(java.time.Instant.parse(WebhookTestProfile.NOW));
    }

    /** What each of the six event types must become, from the recorded deliveries' bodies. */
    static Stream<Arguments> eventTypes() {
        return Stream.of(
                Arguments.of("registered_model.created.json", Kind.MODEL_CREATED, "fixture-model", null, null,
                        "Fixture model for contract tests"),
                Arguments.of("model_version.created.json", Kind.VERSION_CREATED, "fixture-model", "1", null,
                        "first version"),
                Arguments.of("model_version_tag.set.json", Kind.VERSION_TAG_SET, "fixture-model", "1",
                        "validation_status", "approved"),
                Arguments.of("model_version_tag.deleted.json", Kind.VERSION_TAG_DELETED, "fixture-model", "1",
                        "validation_status", null),
                Arguments.of("model_version_alias.created.json", Kind.ALIAS_SET, "fixture-model", "1", "champion", null),
                Arguments.of("model_version_alias.deleted.json", Kind.ALIAS_DELETED, "fixture-model", null, "champion",
                        null));
    }

    static List<RecordedDelivery> signedVariants() {
        return RecordedDelivery.signed().stream()
                .filter(d -> d.file().startsWith("_"))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventTypes")
    void shouldAcceptAndProcessEachRecordedEventType(String file, Kind kind, String model, String version, String key,
                                                     String value) {
        RecordedDelivery delivery = RecordedDelivery.load(file);

        SignedDelivery.replay(delivery).then().statusCode(202)
                .body("delivery_id", equalTo(delivery.deliveryId()))
                .body("status", equalTo("accepted"));

        assertEquals("processed", Inbox.awaitSettled(delivery.deliveryId()));
        List<ControllableSink.Call> calls = sink.callsForDelivery(delivery.deliveryId());
        assertEquals(1, calls.size(), "the sink applies the delivery once");
        RegistryEvent event = calls.get(0).event();
        assertEquals(kind, event.kind());
        assertEquals(model, event.model());
        assertEquals(version, event.version());
        assertEquals(key, event.key());
        assertEquals(value, event.value());
        assertEquals("webhook:" + delivery.deliveryId(), event.origin());
        List<String> actions = Inbox.auditActions(delivery.deliveryId());
        assertEquals(1, actions.stream().filter("mlflow.delivery.accepted"::equals).count(), actions.toString());
        assertEquals(1, actions.stream().filter("mlflow.delivery.processed"::equals).count(), actions.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signedVariants")
    void shouldAcceptAndProcessEachRecordedVariant(RecordedDelivery delivery) {
        SignedDelivery.replay(delivery).then().statusCode(202);

        assertEquals("processed", Inbox.awaitSettled(delivery.deliveryId()));
        assertEquals(1, sink.callsForDelivery(delivery.deliveryId()).size());
    }

    @Test
    void shouldStoreAndProcessARetriedDeliveryOnce() {
        List<RecordedDelivery> attempts = RecordedDelivery.retryAttempts();
        assertEquals(4, attempts.size());
        String id = attempts.get(0).deliveryId();

        SignedDelivery.replay(attempts.get(0)).then().statusCode(202);
        for (RecordedDelivery again : attempts.subList(1, 4)) {
            SignedDelivery.replay(again).then().statusCode(200)
                    .body("delivery_id", equalTo(id))
                    .body("status", equalTo("duplicate"));
        }

        assertEquals("processed", Inbox.awaitSettled(id));
        Inbox.delivery(id).then().body("attempts", equalTo(1));
        assertEquals(1, sink.callsForDelivery(id).size(), "processed once");
        List<String> actions = Inbox.auditActions(id);
        assertEquals(1, actions.stream().filter("mlflow.delivery.processed"::equals).count());
        assertEquals(3, actions.stream().filter("mlflow.delivery.duplicate"::equals).count());
    }

    @Test
    void shouldRejectAlteredBody() {
        RecordedDelivery original = RecordedDelivery.load("_extra_model_version.created-minimal.json");
        RecordedDelivery altered = original.withBody(original.body().replace("\"version\": \"", "\"version\": \"9"));

        assertRefused(SignedDelivery.replay(altered), 401, "UNAUTHENTICATED", "does not match");
        assertTrue(Inbox.auditActions(original.deliveryId()).contains("mlflow.delivery.rejected"));
        assertTrue(sink.callsForDelivery(original.deliveryId()).stream().noneMatch(c -> "91".equals(c.event().version())),
                "the altered content never reaches the registry");
    }

    @Test
    void shouldRejectAlteredTimestamp() {
        RecordedDelivery original = RecordedDelivery.load("model_version_alias.created.json");
        RecordedDelivery altered = original.withHeader("X-MLflow-Timestamp",
                Long.toString(Long.parseLong(original.timestamp()) + 1));

        assertRefused(SignedDelivery.replay(altered), 401, "UNAUTHENTICATED", "does not match");
    }

    @Test
    void shouldRejectAlteredDeliveryId() {
        RecordedDelivery original = RecordedDelivery.load("model_version_tag.set.json");
        String otherId = UUID.randomUUID().toString();

        assertRefused(SignedDelivery.replay(original.withHeader("X-MLflow-Delivery-Id", otherId)), 401,
                "UNAUTHENTICATED", "does not match");
        assertNull(Inbox.status(otherId));
    }

    @Test
    void shouldRejectDeliverySignedWithAnotherSecret() {
        String id = UUID.randomUUID().toString();
        Response response = SignedDelivery.send(id, SignedDelivery.tagSet("m-" + id, "1", "k", "v"), clock.now(),
                "not-the-configured-secret");

        assertRefused(response, 401, "UNAUTHENTICATED", "does not match");
        assertNull(Inbox.status(id));
    }

    @Test
    void shouldAcceptDeliverySignedWithTheSecondConfiguredSecret() {
        String id = UUID.randomUUID().toString();
        SignedDelivery.send(id, SignedDelivery.tagSet("m-" + id, "1", "k", "v"), clock.now(), "fixture-retry-secret")
                .then().statusCode(202);

        assertEquals("processed", Inbox.awaitSettled(id));
    }

    @Test
    void shouldRejectDeliveryWithStaleTimestamp() {
        String id = UUID.randomUUID().toString();
        Response response = SignedDelivery.send(id, SignedDelivery.tagSet("m-" + id, "1", "k", "v"),
                clock.now().minusSeconds(301), SignedDelivery.SECRET);

        assertRefused(response, 401, "UNAUTHENTICATED", "away from this server's clock");
        assertNull(Inbox.status(id));
    }

    @Test
    void shouldRejectDeliveryFromTheFuture() {
        String id = UUID.randomUUID().toString();
        Response response = SignedDelivery.send(id, SignedDelivery.tagSet("m-" + id, "1", "k", "v"),
                clock.now().plusSeconds(301), SignedDelivery.SECRET);

        assertRefused(response, 401, "UNAUTHENTICATED", "away from this server's clock");
    }

    @Test
    void shouldAcceptTimestampJustInsideTheWindow() {
        String id = UUID.randomUUID().toString();
        SignedDelivery.send(id, SignedDelivery.tagSet("m-" + id, "1", "k", "v"), clock.now().minusSeconds(300),
                SignedDelivery.SECRET).then().statusCode(202);
    }

    @Test
    void shouldRefuseUnsignedDeliveryByDefault() {
        RecordedDelivery unsigned = RecordedDelivery.load("_extra_model_version_tag.set-unsigned.json");
        assertNull(unsigned.signature());

        assertRefused(SignedDelivery.replay(unsigned), 401, "UNAUTHENTICATED", "carries no X-MLflow-Signature");
        assertNull(Inbox.status(unsigned.deliveryId()));
    }

    @Test
    void shouldRefuseDeliveryWithoutDeliveryId() {
        RecordedDelivery original = RecordedDelivery.load("registered_model.created.json");
        var headers = original.replayHeaders();
        headers.remove("X-MLflow-Delivery-Id");

        assertRefused(SignedDelivery.request(headers, original.bodyBytes()), 401, "UNAUTHENTICATED",
                "X-MLflow-Delivery-Id");
    }

    @Test
    void shouldRefuseBodyOverOneMebibyteWithContentLength() {
        String id = UUID.randomUUID().toString();
        String big = SignedDelivery.tagSet("m-" + id, "1", "k", "x".repeat(2 * 1024 * 1024));

        Response response = SignedDelivery.send(id, big, clock.now(), SignedDelivery.SECRET);

        assertRefused(response, 413, "PAYLOAD_TOO_LARGE", "exceeds the limit of 1048576 bytes");
        assertNull(Inbox.status(id));
        assertTrue(Inbox.auditActions(id).contains("mlflow.delivery.rejected"));
    }

    @Test
    void shouldRefuseStreamedBodyOverOneMebibyte() throws Exception {
        String id = UUID.randomUUID().toString();
        byte[] big = SignedDelivery.tagSet("m-" + id, "1", "k", "y".repeat(2 * 1024 * 1024))
                .getBytes(StandardCharsets.UTF_8);
        String timestamp = Long.toString(clock.now().getEpochSecond());
        // An InputStream of unknown length is sent chunked: no Content-Length to check up front.
        HttpRequest request = HttpRequest.newBuilder(webhookUrl)
                .header("Content-Type", "application/json")
                .header("X-MLflow-Delivery-Id", id)
                .header("X-MLflow-Timestamp", timestamp)
                .header("X-MLflow-Signature", SignatureVerifier.sign(SignedDelivery.SECRET, id, timestamp, big))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();

        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(413, response.statusCode());
        assertTrue(response.body().contains("PAYLOAD_TOO_LARGE"), response.body());
        assertNull(Inbox.status(id));
    }

    @Test
    void shouldRejectMalformedJsonWithValidSignatureAndRecordIt() {
        String id = UUID.randomUUID().toString();
        Response response = SignedDelivery.send(id, "{\"entity\": \"model_version\", \"action\": ", clock.now(),
                SignedDelivery.SECRET);

        assertRefused(response, 400, "MALFORMED_JSON", "not well-formed JSON");
        Inbox.delivery(id).then().statusCode(200)
                .body("status", equalTo("rejected"))
                .body("lastError", containsString("not well-formed JSON"));
        assertEquals(List.of("mlflow.delivery.rejected"), Inbox.auditActions(id));
        assertTrue(sink.callsForDelivery(id).isEmpty());
    }

    @Test
    void shouldRejectKnownEventWithoutItsRequiredFields() {
        String id = UUID.randomUUID().toString();
        Response response = SignedDelivery.send(id,
                SignedDelivery.body("model_version_alias", "created", "{\"name\": \"m\", \"alias\": \"champion\"}"),
                clock.now(), SignedDelivery.SECRET);

        assertRefused(response, 400, "BAD_REQUEST", "data.version");
        assertEquals("rejected", Inbox.status(id));
    }

    @Test
    void shouldAcceptRecordAndIgnoreAnUnknownEventType() {
        String id = UUID.randomUUID().toString();
        SignedDelivery.send(id, SignedDelivery.body("prompt", "created", "{\"name\": \"my-prompt\"}"), clock.now(),
                SignedDelivery.SECRET).then().statusCode(202);

        assertEquals("ignored", Inbox.awaitSettled(id));
        Inbox.delivery(id).then().body("entity", equalTo("prompt")).body("action", equalTo("created"));
        assertTrue(sink.callsForDelivery(id).isEmpty(), "the registry never sees it");
        assertEquals(List.of("mlflow.delivery.accepted", "mlflow.delivery.ignored"), Inbox.auditActions(id));
    }

    @Test
    void shouldCountRejectionsByReason() {
        double before = rejected("stale_timestamp");
        String id = UUID.randomUUID().toString();
        SignedDelivery.send(id, SignedDelivery.tagSet("m", "1", "k", "v"), clock.now().minusSeconds(3600),
                SignedDelivery.SECRET).then().statusCode(401);

        assertEquals(before + 1, rejected("stale_timestamp"));
    }

    @Test
    void shouldNeverEchoTheBodyInARefusal() {
        String id = UUID.randomUUID().toString();
        String body = SignedDelivery.tagSet("m", "1", "k", "very-private-value");
        String text = SignedDelivery.send(id, body, clock.now(), "wrong-secret").then().statusCode(401)
                .extract().asString();
        assertTrue(!text.contains("very-private-value") && !text.contains("wrong-secret"), text);
    }

    @Test
    void shouldDescribeTheWebhookInOpenApiWithoutBearerSecurity() {
        RestAssured.given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/v1/mlflow/webhooks'.post.responses.'202'.description", containsString("Stored"))
                .body("paths.'/api/v1/mlflow/webhooks'.post.security", org.hamcrest.Matchers.empty())
                .body("paths.'/api/v1/mlflow/deliveries'.get", org.hamcrest.Matchers.notNullValue());
    }

    private static double rejected(String reason) {
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        return Arrays.stream(metrics.split("\n"))
                .filter(l -> l.startsWith("quantgate_webhook_rejected_total{") && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static void assertRefused(Response response, int status, String code, String detailPart) {
        response.then().statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("code", equalTo(code))
                .body("detail", containsString(detailPart));
    }
}
