package dev.quantgate.mlflow.webhook;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * End to end: MLflow's recorded deliveries, replayed through HTTP with their real signatures, go
 * through the inbox into the real registry mirror, which completes them from the fake MLflow.
 */
@QuarkusTest
@TestProfile(WebhookToMirrorTest.RealMirror.class)
class WebhookToMirrorTest {

    /** The webhook tests' clock and secrets, with the real mirror instead of the controllable sink. */
    public static class RealMirror extends WebhookTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of();
        }
    }

    /** The fixture-model deliveries in the order MLflow sent them. */
    private static final List<String> RECORDED_ORDER = List.of(
            "registered_model.created.json", "model_version.created.json", "model_version_tag.set.json",
            "model_version_tag.deleted.json", "model_version_alias.created.json", "model_version_alias.deleted.json",
            "_extra_model_version.created-minimal.json", "_extra_model_version_alias.created-initial.json",
            "_extra_model_version_alias.created-moved.json");

    @jakarta.inject.Inject
    dev.quantgate.testing.MutableClock clock;

    /** Recorded deliveries carry their real timestamps: replay them at the time they were signed. */
    @org.junit.jupiter.api.BeforeEach
    void atRecordingTime() {
        clock.set(Instant.parse(WebhookTestProfile.NOW));
    }

    @Test
    void shouldIgnoreMlflowsTestWebhookForAModelMlflowDoesNotHave() {
        FakeMlflow fake = FakeMlflow.get();
        fake.reset();
        fake.seedFromFixtures();
        RecordedDelivery delivery = RecordedDelivery.load("_test_default-event.json");

        SignedDelivery.replay(delivery).then().statusCode(202);

        assertEquals("ignored", Inbox.awaitSettled(delivery.deliveryId()));
        Inbox.delivery(delivery.deliveryId()).then()
                .body("lastError", org.hamcrest.Matchers.containsString("example_model"));
        assertEquals(true, Inbox.auditActions(delivery.deliveryId()).contains("mlflow.delivery.ignored"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/example_model").then().statusCode(404);
    }

    @Test
    void shouldMirrorEveryRecordedDeliveryOnceAndKeepAliasHistory() {
        FakeMlflow fake = FakeMlflow.get();
        fake.reset();
        fake.seedFromFixtures();

        for (String file : RECORDED_ORDER) {
            RecordedDelivery delivery = RecordedDelivery.load(file);
            SignedDelivery.replay(delivery).then().statusCode(202);
            assertEquals("processed", Inbox.awaitSettled(delivery.deliveryId()), file);
        }

        String model = "/api/v1/registry/models/fixture-model";
        TestTokens.as(Roles.AUDITOR).get(model).then().statusCode(200)
                .body("description", equalTo("Fixture model for contract tests"))
                .body("createdAt", equalTo(Instant.ofEpochMilli(1795715454633L).toString()))
                .body("versions", equalTo(2))
                .body("aliases[0].alias", equalTo("champion"))
                .body("aliases[0].version", equalTo("2"));
        TestTokens.as(Roles.AUDITOR).get(model + "/versions/1").then().statusCode(200)
                .body("source", equalTo("mlflow-artifacts:/1/2a53c6c0592b43919359cc3e5694dd7a/artifacts/model"))
                .body("status", equalTo("READY"))
                .body("tags.size()", equalTo(0));
        String history = model + "/aliases/champion/history";
        TestTokens.as(Roles.AUDITOR).get(history).then().statusCode(200)
                .body("items", hasSize(3))
                .body("items.version", equalTo(List.of("1", "1", "2")))
                .body("items[0].validFrom", equalTo("2026-11-26T17:50:58.800598Z"))
                .body("items[0].validTo", equalTo("2026-11-26T17:50:59.849723Z"))
                .body("items[2].validFrom", equalTo("2026-11-26T17:51:10.530772Z"))
                .body("items[2].validTo", nullValue())
                .body("items[2].setBy", equalTo("webhook:" + RecordedDelivery.load(RECORDED_ORDER.get(8)).deliveryId()));
        TestTokens.as(Roles.AUDITOR).queryParam("at", "2026-11-26T17:51:05Z").get(history).then()
                .body("items", hasSize(0));
        TestTokens.as(Roles.AUDITOR).queryParam("at", "2026-11-26T17:51:10Z").get(history).then()
                .body("items[0].version", equalTo("1"));
        int audited = registryAuditEvents();

        for (String file : RECORDED_ORDER) {
            SignedDelivery.replay(RecordedDelivery.load(file)).then().statusCode(200);
        }

        assertEquals(audited, registryAuditEvents(), "MLflow's retries of the same deliveries change nothing");
    }

    private static int registryAuditEvents() {
        List<String> actions = TestTokens.as(Roles.ADMIN).queryParam("subject", "model:fixture-model")
                .queryParam("limit", 500).get("/api/v1/audit/events").then().statusCode(200)
                .extract().path("items.action");
        return actions.size();
    }
}
