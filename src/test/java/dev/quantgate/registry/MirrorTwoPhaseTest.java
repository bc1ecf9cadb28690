package dev.quantgate.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.Roles;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.audit.AuditTrailService;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.mlflow.client.MlflowRegistrySource;
import dev.quantgate.mlflow.client.TestMlflowConfig;
import dev.quantgate.mlflow.webhook.MlflowDelivery;
import dev.quantgate.registry.RegistryEvent.Carried;
import dev.quantgate.registry.RegistryEvent.Kind;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.MlflowFixtures;
import dev.quantgate.testing.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mirror's two phases and the MLflow-live fixes: MLflow is read in {@code prepare} only; MLflow's
 * "test webhook" example creates no model; without MLflow a delivery's whole content is kept;
 * creation events arriving late are merged; a webhook's exact time re-dates an alias move the poller saw first.
 */
@QuarkusTest
class MirrorTwoPhaseTest {

    private static final Instant T1 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-11-26T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-11-26T12:00:00Z");

    @Inject
    RegistryEventSink sink;

    @Inject
    AuditTrailService auditTrail;

    @Inject
    AuditLog auditLog;

    @Inject
    ObjectMapper json;

    @Inject
    Event<RegistryChange> published;

    @Inject
    RecordedChanges recorded;

    FakeMlflow fake;
    String model;

    @BeforeEach
    void seed() {
        fake = FakeMlflow.get();
        fake.reset();
        model = "phases-" + TestTokens.shortId();
        fake.seedFromFixtures(model);
    }

    @Test
    void shouldReadMlflowWhilePreparingAndNeverWhileApplying() {
        RegistryEventSink.Prepared prepared = sink.prepare(
                new RegistryEvent(Kind.ALIAS_SET, model, "1", "champion", null, T1, "webhook:p-1"));
        int calls = fake.server().getAllServeEvents().size();
        assertEquals(2, calls, "the model and its version were read");
        fake.down();
        try {
            assertEquals(3, QuarkusTransaction.requiringNew().call(() -> sink.apply(prepared)));
        } finally {
            fake.up();
        }
        assertEquals(calls, fake.server().getAllServeEvents().size(), "apply asked MLflow nothing");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", model).then().statusCode(200)
                .body("runId", equalTo("2a53c6c0592b43919359cc3e5694dd7a"))
                .body("aliases", equalTo(java.util.List.of("champion")));
        assertEquals(0, sink.prepare(new RegistryEvent(Kind.VERSION_TAG_SET, model, "1", "k", "v", T2, "webhook:p-2"))
                .ignoredReason().map(String::length).orElse(0));
        assertEquals(calls, fake.server().getAllServeEvents().size(), "what the mirror has is not read again");
    }

    @Test
    void shouldNotMirrorTheExampleDeliveryOfMlflowsTestWebhook() throws Exception {
        for (String fixture : new String[]{"_test_default-event.json", "_test_model_version_alias.created.json"}) {
            RegistryEvent event = MlflowDelivery.parse(webhookBody(fixture, null))
                    .toEvent("test-" + TestTokens.shortId(), T1).orElseThrow();
            assertEquals("example_model", event.model());

            RegistryEventSink.Prepared prepared = sink.prepare(event);

            assertTrue(prepared.ignoredReason().orElse("").contains("no registered model named 'example_model'"),
                    prepared.ignoredReason().toString());
            assertEquals(0, QuarkusTransaction.requiringNew().call(() -> sink.apply(prepared)));
        }
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/example_model").then().statusCode(404);
        assertEquals(0, recorded.of("example_model").size());
        assertEquals(0, auditTrail.events(0, 50, "model:example_model", null, null).items().size());
    }

    @Test
    void shouldKeepEverythingADeliveryCarriesWithoutMlflow() throws Exception {
        RegistryMirror offline = offlineMirror();
        RegistryEvent created = MlflowDelivery.parse(webhookBody("model_version.created.json", model))
                .toEvent("o-1", T1).orElseThrow();

        assertEquals(2, QuarkusTransaction.requiringNew().call(() -> offline.apply(offline.prepare(created))));

        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", model).then().statusCode(200)
                .body("source", equalTo("mlflow-artifacts:/1/2a53c6c0592b43919359cc3e5694dd7a/artifacts/model"))
                .body("runId", equalTo("2a53c6c0592b43919359cc3e5694dd7a"))
                .body("tags.validation_status", equalTo("pending"))
                .body("description", equalTo("first version"));
        assertEquals(0, fake.server().getAllServeEvents().size(), "no MLflow to read");
    }

    @Test
    void shouldMergeCreationEventsThatArriveAfterTheirModelOrVersion() throws Exception {
        RegistryMirror offline = offlineMirror();
        RegistryEvent alias = new RegistryEvent(Kind.ALIAS_SET, model, "1", "champion", null, T1, "webhook:m-1");
        RegistryEvent version = MlflowDelivery.parse(webhookBody("model_version.created.json", model))
                .toEvent("m-2", T1).orElseThrow();
        RegistryEvent registered = MlflowDelivery.parse(webhookBody("registered_model.created.json", model))
                .toEvent("m-3", T1).orElseThrow();

        // MLflow sends from a thread pool: the alias first, the version next, the model's creation last
        QuarkusTransaction.requiringNew().run(() -> offline.apply(alias));
        assertTrue(QuarkusTransaction.requiringNew().call(() -> offline.apply(version)) >= 2,
                "source, run and tags filled in");
        assertTrue(QuarkusTransaction.requiringNew().call(() -> offline.apply(registered)) >= 2,
                "description and tags filled in");
        assertEquals(0, (int) QuarkusTransaction.requiringNew().call(() -> offline.apply(registered)));

        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}", model).then().statusCode(200)
                .body("description", equalTo("Fixture model for contract tests"))
                .body("tags.owner", equalTo("team-a"))
                .body("aliases", hasSize(1));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", model).then().statusCode(200)
                .body("source", equalTo("mlflow-artifacts:/1/2a53c6c0592b43919359cc3e5694dd7a/artifacts/model"))
                .body("runId", equalTo("2a53c6c0592b43919359cc3e5694dd7a"))
                .body("tags.validation_status", equalTo("pending"));
    }

    @Test
    void shouldKeepTheWebhooksExactTimeWhenThePollerSawTheMoveFirst() {
        Carried polled = new Carried(null, null, null, null, null, Map.of(), true);
        sink.apply(new RegistryEvent(Kind.ALIAS_SET, model, "1", "champion", null, T1, "webhook:r-1"));
        sink.apply(new RegistryEvent(Kind.VERSION_CREATED, model, "2", null, null, T1, "poller",
                new Carried("src", "run", "READY", "None", T1, Map.of(), true)));
        assertEquals(1, sink.apply(new RegistryEvent(Kind.ALIAS_SET, model, "2", "champion", null, T3, "poller", polled)));
        int published = recorded.of(model).size();

        // the webhook of that move arrives late (MLflow retried it), with MLflow's own time
        assertEquals(1, sink.apply(new RegistryEvent(Kind.ALIAS_SET, model, "2", "champion", null, T2, "webhook:r-2")));
        assertEquals(0, sink.apply(new RegistryEvent(Kind.ALIAS_SET, model, "2", "champion", null, T2, "webhook:r-2")));

        assertEquals(published, recorded.of(model).size(), "re-dating is no new move");
        String history = "/api/v1/registry/models/{name}/aliases/champion/history";
        TestTokens.as(Roles.AUDITOR).get(history, model).then().statusCode(200)
                .body("items", hasSize(2))
                .body("items[0].validTo", equalTo(T2.toString()))
                .body("items[0].clearedBy", equalTo("webhook:r-2"))
                .body("items[1].validFrom", equalTo(T2.toString()))
                .body("items[1].setBy", equalTo("webhook:r-2"))
                .body("items[1].validTo", nullValue());

        // and a deletion the poller noticed first
        sink.apply(new RegistryEvent(Kind.ALIAS_DELETED, model, null, "champion", null, T3.plusSeconds(600), "poller",
                polled));
        assertEquals(1, sink.apply(new RegistryEvent(Kind.ALIAS_DELETED, model, null, "champion", null,
                T3.plusSeconds(60), "webhook:r-3")));
        TestTokens.as(Roles.AUDITOR).get(history, model).then().statusCode(200)
                .body("items[1].validTo", equalTo(T3.plusSeconds(60).toString()))
                .body("items[1].clearedBy", equalTo("webhook:r-3"));
    }

    private RegistryMirror offlineMirror() {
        return new RegistryMirror(new MlflowRegistrySource(new MlflowRegistryClient(TestMlflowConfig.of(null), json)),
                auditLog, published, Clock.systemUTC());
    }

    /** A recorded delivery's body, its model renamed (tests share one database). */
    private static byte[] webhookBody(String fixture, String modelName) throws Exception {
        Path file = MlflowFixtures.restDirectory().resolveSibling("webhooks").resolve(fixture);
        String body = new ObjectMapper().readTree(Files.readString(file)).path("body").asText();
        if (modelName != null) {
            body = body.replace("\"fixture-model\"", "\"" + modelName + "\"");
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
