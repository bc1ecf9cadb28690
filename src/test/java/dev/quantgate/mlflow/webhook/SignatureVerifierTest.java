package dev.quantgate.mlflow.webhook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignatureVerifierTest {

    static List<RecordedDelivery> signed() {
        return RecordedDelivery.signed();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signed")
    void shouldVerifyEveryRecordedSignature(RecordedDelivery d) {
        SignatureVerifier verifier = new SignatureVerifier(List.of(d.secret()));

        assertTrue(verifier.verify(d.deliveryId(), d.timestamp(), d.bodyBytes(), d.signature()));
        assertEquals(d.signature(), SignatureVerifier.sign(d.secret(), d.deliveryId(), d.timestamp(), d.bodyBytes()));
    }

    @Test
    void shouldVerifyWithAnyOfTheConfiguredSecrets() {
        RecordedDelivery d = RecordedDelivery.load("model_version.created.json");

        assertTrue(new SignatureVerifier(List.of("new-secret", " " + d.secret() + " "))
                .verify(d.deliveryId(), d.timestamp(), d.bodyBytes(), d.signature()));
        assertFalse(new SignatureVerifier(List.of("new-secret", "older-secret"))
                .verify(d.deliveryId(), d.timestamp(), d.bodyBytes(), d.signature()));
    }

    @Test
    void shouldRejectWhenAnySignedPartChanges() {
        RecordedDelivery d = RecordedDelivery.load("model_version.created.json");
        SignatureVerifier verifier = new SignatureVerifier(List.of(d.secret()));
        byte[] body = d.bodyBytes();
        byte[] changed = d.body().replace("first version", "first versioN").getBytes(StandardCharsets.UTF_8);

        assertFalse(verifier.verify(d.deliveryId(), d.timestamp(), changed, d.signature()));
        assertFalse(verifier.verify(d.deliveryId(), "1795715456", body, d.signature()));
        assertFalse(verifier.verify("1fbbcdda-63e7-4620-b81d-5ed32fe5f88e", d.timestamp(), body, d.signature()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "v1,", "v1,not base64!", "v2,x/WnUhep52aGxXW9HC8zHxHQ4+BTQXWxqO9KWA+erG0=",
            "x/WnUhep52aGxXW9HC8zHxHQ4+BTQXWxqO9KWA+erG0="})
    void shouldRejectMalformedSignatureHeaders(String header) {
        RecordedDelivery d = RecordedDelivery.load("model_version.created.json");

        assertFalse(new SignatureVerifier(List.of(d.secret())).verify(d.deliveryId(), d.timestamp(), d.bodyBytes(), header));
    }

    @Test
    void shouldVerifyNothingWithoutSecrets() {
        RecordedDelivery d = RecordedDelivery.load("model_version.created.json");
        SignatureVerifier verifier = new SignatureVerifier(List.of("", "  "));

        assertFalse(verifier.hasSecrets());
        assertFalse(verifier.verify(d.deliveryId(), d.timestamp(), d.bodyBytes(), d.signature()));
    }
}
