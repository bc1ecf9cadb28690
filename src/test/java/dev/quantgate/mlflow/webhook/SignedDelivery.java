package dev.quantgate.mlflow.webhook;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Builds and sends deliveries the way MLflow does: raw JSON body, delivery id, timestamp, v1 signature. */
final class SignedDelivery {

    static final String SECRET = "fixture-webhook-secret-0123456789";
    static final String PATH = "/api/v1/mlflow/webhooks";

    private static final RestAssuredConfig RAW = RestAssuredConfig.config().encoderConfig(
            EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    private SignedDelivery() {
    }

    /** Python {@code json.dumps} layout, as MLflow sends it. */
    static String body(String entity, String action, String dataJson) {
        return "{\"entity\": \"" + entity + "\", \"action\": \"" + action
                + "\", \"timestamp\": \"2026-11-26T17:51:00.000000+00:00\", \"data\": " + dataJson + "}";
    }

    static String tagSet(String model, String version, String key, String value) {
        return body("model_version_tag", "set", "{\"name\": \"" + model + "\", \"version\": \"" + version
                + "\", \"key\": \"" + key + "\", \"value\": \"" + value + "\"}");
    }

    static Response send(String body, Instant at) {
        return send(UUID.randomUUID().toString(), body, at, SECRET);
    }

    static Response send(String deliveryId, String body, Instant at, String secret) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String timestamp = Long.toString(at.getEpochSecond());
        return request(Map.of(
                "Content-Type", "application/json",
                "X-MLflow-Delivery-Id", deliveryId,
                "X-MLflow-Timestamp", timestamp,
                "X-MLflow-Signature", SignatureVerifier.sign(secret, deliveryId, timestamp, bytes)), bytes);
    }

    static Response replay(RecordedDelivery delivery) {
        return request(delivery.replayHeaders(), delivery.bodyBytes());
    }

    static Response request(Map<String, String> headers, byte[] body) {
        RequestSpecification request = RestAssured.given().config(RAW);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            request = request.header(h.getKey(), h.getValue());
        }
        return request.body(body).post(PATH);
    }
}
