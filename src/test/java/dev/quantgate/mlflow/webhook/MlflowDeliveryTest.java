package dev.quantgate.mlflow.webhook;

import dev.quantgate.registry.RegistryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlflowDeliveryTest {

    static List<RecordedDelivery> all() {
        return RecordedDelivery.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void shouldTranslateEveryRecordedDelivery(RecordedDelivery d) throws Exception {
        MlflowDelivery delivery = MlflowDelivery.parse(d.bodyBytes());

        RegistryEvent event = delivery.toEvent(d.deliveryId(), Instant.EPOCH).orElseThrow();
        assertEquals(delivery.model(), event.model());
        assertEquals("webhook:" + d.deliveryId(), event.origin());
        assertTrue(event.occurredAt().isAfter(Instant.parse("2026-11-26T17:50:00Z")), "the body's own timestamp");
    }

    @Test
    void shouldKeepAnEmptyDescriptionOutOfTheEvent() throws Exception {
        RecordedDelivery d = RecordedDelivery.load("_extra_registered_model.created-no-description.json");

        RegistryEvent event = MlflowDelivery.parse(d.bodyBytes()).toEvent(d.deliveryId(), Instant.EPOCH).orElseThrow();

        assertEquals(RegistryEvent.Kind.MODEL_CREATED, event.kind());
        assertEquals("fixture-model-retry", event.model());
        assertNull(event.value());
        assertEquals(Instant.parse("2026-11-26T17:51:19.590225Z"), event.occurredAt());
    }

    @Test
    void shouldTranslateAnUnknownEventTypeToNothing() throws Exception {
        MlflowDelivery delivery = MlflowDelivery.parse(bytes(
                "{\"entity\": \"prompt_version\", \"action\": \"created\", \"data\": {\"name\": \"p\"}}"));

        assertTrue(delivery.toEvent("id", Instant.EPOCH).isEmpty());
        assertEquals("p", delivery.model());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[]", "\"text\"", "{\"entity\": \"model_version\", \"action\": }"})
    void shouldRefuseBodiesThatAreNotAJsonObject(String body) {
        MalformedDeliveryException e = assertThrows(MalformedDeliveryException.class, () -> MlflowDelivery.parse(bytes(body)));
        assertEquals("malformed_json", e.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"action\": \"created\"}",
            "{\"entity\": \"model_version\", \"action\": \"created\", \"data\": []}",
            "{\"entity\": \"model_version\", \"action\": \"created\", \"data\": {\"name\": \"m\"}}",
            "{\"entity\": \"model_version_tag\", \"action\": \"set\", \"data\": {\"name\": \"m\", \"version\": \"1\", \"key\": \"k\"}}",
            "{\"entity\": \"registered_model\", \"action\": \"created\", \"timestamp\": \"yesterday\", \"data\": {\"name\": \"m\"}}"})
    void shouldRefuseKnownEventsWithoutTheirFields(String body) {
        MalformedDeliveryException e = assertThrows(MalformedDeliveryException.class, () -> MlflowDelivery.parse(bytes(body)));
        assertEquals("invalid_payload", e.reason());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
