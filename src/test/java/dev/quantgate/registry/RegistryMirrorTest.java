package dev.quantgate.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.audit.AuditTrailService;
import dev.quantgate.audit.dto.AuditEventView;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import dev.quantgate.mlflow.client.MlflowRegistrySource;
import dev.quantgate.mlflow.client.MlflowUnavailableException;
import dev.quantgate.mlflow.client.TestMlflowConfig;
import dev.quantgate.registry.RegistryEvent.Kind;
import dev.quantgate.api.Roles;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class RegistryMirrorTest {

    private static final Instant T1 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-11-26T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-11-26T12:00:00Z");
    private static final Instant T4 = Instant.parse("2026-11-26T13:00:00Z");

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

    FakeMlflow fake;
    String model;

    @BeforeEach
    void seed() {
        fake = FakeMlflow.get();
        fake.reset();
        model = "mirror-" + TestTokens.shortId();
        fake.seedFromFixtures(model);
    }

    @Test
    void shouldCompleteANewVersionFromMlflow() {
        int changes = sink.apply(event(Kind.VERSION_CREATED, "1", null, null, T1, "webhook:d-1"));

        assertEquals(2, changes, "model and version created");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", model)
                .then().statusCode(200)
                .body("model", equalTo(model))
                .body("version", equalTo("1"))
                .body("source", equalTo("mlflow-artifacts:/1/2a53c6c0592b43919359cc3e5694dd7a/artifacts/model"))
                .body("runId", equalTo("2a53c6c0592b43919359cc3e5694dd7a"))
                .body("status", equalTo("READY"))
                .body("currentStage", equalTo("None"))
                .body("description", equalTo("first version"))
                .body("createdAt", equalTo(Instant.ofEpochMilli(1795715455685L).toString()))
                .body("tags.validation_status", equalTo("pending"))
                .body("deletedAt", nullValue());
        TestTokens.as(Roles.ENGINEER).get("/api/v1/registry/models/{name}", model)
                .then().statusCode(200)
                .body("description", equalTo("Fixture model for contract tests"))
                .body("createdAt", equalTo(Instant.ofEpochMilli(1795715454633L).toString()))
                .body("versions", equalTo(1));
        List<AuditEventView> audit = audit("model:" + model);
        assertEquals(List.of("registry.model.created", "registry.version.created"),
                audit.stream().map(AuditEventView::action).toList());
        assertEquals("mlflow-webhook", audit.get(1).actor());
    }

    @Test
    void shouldChangeNothingAndAuditNothingForAnEventAlreadyReflected() {
        sink.apply(event(Kind.VERSION_CREATED, "1", null, null, T1, "webhook:d-1"));
        sink.apply(event(Kind.VERSION_TAG_SET, "1", "validation_status", "approved", T2, "webhook:d-2"));
        sink.apply(event(Kind.ALIAS_SET, "1", "champion", null, T2, "webhook:d-3"));
        int auditedBefore = audit("model:" + model).size();
        int mlflowCallsBefore = fake.server().getAllServeEvents().size();

        // the same changes again: redelivered webhooks, and the poller reporting what webhooks already did
        assertEquals(0, sink.apply(event(Kind.VERSION_CREATED, "1", null, null, T1, "webhook:d-1")));
        assertEquals(0, sink.apply(event(Kind.VERSION_TAG_SET, "1", "validation_status", "approved", T3, "poller")));
        assertEquals(0, sink.apply(event(Kind.ALIAS_SET, "1", "champion", null, T3, "poller")));
        assertEquals(0, sink.apply(event(Kind.MODEL_CREATED, null, null, null, T3, "poller")));
        assertEquals(0, sink.apply(event(Kind.STAGE_CHANGED, "1", null, "None", T3, "poller")));
        assertEquals(0, sink.apply(event(Kind.ALIAS_DELETED, null, "never-set", null, T3, "webhook:d-4")));
        assertEquals(0, sink.apply(event(Kind.VERSION_TAG_DELETED, "1", "no-such-tag", null, T3, "webhook:d-5")));

        assertEquals(auditedBefore, audit("model:" + model).size());
        assertEquals(mlflowCallsBefore, fake.server().getAllServeEvents().size(), "nothing new to read from MLflow");
    }

    @Test
    void shouldKeepAliasHistoryAndAnswerWhatHeldItAtAnyTime() {
        assertEquals(3, sink.apply(event(Kind.ALIAS_SET, "1", "champion", null, T1, "webhook:a-1")),
                "model, version 1 and the alias");
        assertEquals(2, sink.apply(event(Kind.ALIAS_SET, "2", "champion", null, T2, "webhook:a-2")),
                "version 2 and the move");
        assertEquals(0, sink.apply(event(Kind.ALIAS_SET, "2", "champion", null, T3, "poller")));
        assertEquals(1, sink.apply(event(Kind.ALIAS_DELETED, null, "champion", null, T4, "webhook:a-3")));

        String history = "/api/v1/registry/models/{name}/aliases/champion/history";
        TestTokens.as(Roles.AUDITOR).get(history, model).then().statusCode(200)
                .body("items", hasSize(2))
                .body("items[0].version", equalTo("1"))
                .body("items[0].validFrom", equalTo(T1.toString()))
                .body("items[0].validTo", equalTo(T2.toString()))
                .body("items[0].setBy", equalTo("webhook:a-1"))
                .body("items[0].clearedBy", equalTo("webhook:a-2"))
                .body("items[1].version", equalTo("2"))
                .body("items[1].validFrom", equalTo(T2.toString()))
                .body("items[1].validTo", equalTo(T4.toString()))
                .body("next", nullValue());
        assertAt(history, T1.plusSeconds(1), "1");
        assertAt(history, T2, "2");
        assertAt(history, T3, "2");
        TestTokens.as(Roles.AUDITOR).queryParam("at", T4.plusSeconds(1).toString()).get(history, model)
                .then().statusCode(200).body("items", hasSize(0));
        TestTokens.as(Roles.AUDITOR).queryParam("at", T1.minusSeconds(1).toString()).get(history, model)
                .then().statusCode(200).body("items", hasSize(0));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/aliases", model)
                .then().statusCode(200).body("items", hasSize(0));
        assertEquals(List.of("registry.alias.set", "registry.alias.moved", "registry.alias.deleted"),
                audit("model:" + model + "/alias:champion").stream().map(AuditEventView::action).toList());
    }

    @Test
    void shouldPageHistoryAndListCurrentAliases() {
        sink.apply(event(Kind.ALIAS_SET, "1", "champion", null, T1, "webhook:p-1"));
        sink.apply(event(Kind.ALIAS_SET, "2", "champion", null, T2, "webhook:p-2"));
        sink.apply(event(Kind.ALIAS_SET, "1", "champion", null, T3, "webhook:p-3"));
        sink.apply(event(Kind.ALIAS_SET, "2", "challenger", null, T3, "webhook:p-4"));

        String history = "/api/v1/registry/models/{name}/aliases/champion/history";
        String next = TestTokens.as(Roles.ENGINEER).queryParam("limit", 2).get(history, model).then().statusCode(200)
                .body("items", hasSize(2)).body("next", notNullValue()).extract().path("next");
        TestTokens.as(Roles.ENGINEER).queryParam("limit", 2).queryParam("after", next).get(history, model)
                .then().statusCode(200).body("items", hasSize(1)).body("items[0].version", equalTo("1"))
                .body("items[0].validTo", nullValue()).body("next", nullValue());
        TestTokens.as(Roles.ENGINEER).get("/api/v1/registry/models/{name}/aliases", model).then().statusCode(200)
                .body("items.alias", equalTo(List.of("challenger", "champion")))
                .body("items.version", equalTo(List.of("2", "1")));
        TestTokens.as(Roles.ENGINEER).get("/api/v1/registry/models/{name}/versions", model).then().statusCode(200)
                .body("items.version", equalTo(List.of("1", "2")))
                .body("items[0].aliases", equalTo(List.of("champion")))
                .body("items[1].aliases", equalTo(List.of("challenger")));
    }

    @Test
    void shouldMirrorTagsAndStagesAndAuditEachChange() {
        sink.apply(event(Kind.VERSION_CREATED, "1", null, null, T1, "webhook:t-1"));

        assertEquals(1, sink.apply(event(Kind.VERSION_TAG_SET, "1", "validation_status", "approved", T2, "webhook:t-2")));
        assertEquals(1, sink.apply(event(Kind.VERSION_TAG_SET, "1", "quantgate", "int8", T2, "webhook:t-3")));
        assertEquals(1, sink.apply(event(Kind.VERSION_TAG_DELETED, "1", "validation_status", null, T3, "webhook:t-4")));
        assertEquals(1, sink.apply(event(Kind.STAGE_CHANGED, "1", null, "Staging", T3, "poller")));

        TestTokens.as(Roles.ADMIN).get("/api/v1/registry/models/{name}/versions/1", model).then().statusCode(200)
                .body("tags.size()", equalTo(1))
                .body("tags.quantgate", equalTo("int8"))
                .body("currentStage", equalTo("Staging"));
        List<AuditEventView> audit = audit("model:" + model + "/version:1");
        assertEquals(List.of("registry.version.created", "registry.version.tag.set", "registry.version.tag.set",
                "registry.version.tag.deleted", "registry.version.stage.changed"),
                audit.stream().map(AuditEventView::action).toList());
        assertEquals("mlflow-poller", audit.get(4).actor());
    }

    @Test
    void shouldThrowAndKeepNothingWhenMlflowCannotBeReached() {
        fake.down();

        assertThrows(MlflowUnavailableException.class,
                () -> sink.apply(event(Kind.VERSION_CREATED, "1", null, null, T1, "webhook:down-1")));

        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}", model).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("NOT_FOUND"));
        assertEquals(0, audit("model:" + model).size());

        fake.up();
        assertEquals(2, sink.apply(event(Kind.VERSION_CREATED, "1", null, null, T1, "webhook:down-1")),
                "the caller's retry succeeds once MLflow is back");
    }

    @Test
    void shouldMirrorAVersionMlflowNoLongerHasAsDeleted() {
        fake.deleteVersion(model, 2);

        assertEquals(2, sink.apply(event(Kind.VERSION_CREATED, "2", null, "gone soon", T1, "webhook:g-1")));

        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/2", model).then().statusCode(200)
                .body("description", equalTo("gone soon"))
                .body("deletedAt", notNullValue());
    }

    @Test
    void shouldRefuseAnEventWithAMalformedVersion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sink.apply(event(Kind.VERSION_CREATED, "one", null, null, T1, "webhook:bad")));
        assertTrue(e.getMessage().contains("'one'"), e.getMessage());
    }

    @Test
    void shouldPageModelsAndAnswerUnknownThingsWithProblems() {
        sink.apply(event(Kind.MODEL_CREATED, null, null, null, T1, "webhook:m-1"));
        String second = model + "-b";
        fake.seedFromFixtures(second);
        sink.apply(new RegistryEvent(Kind.MODEL_CREATED, second, null, null, null, T1, "webhook:m-2"));

        String next = TestTokens.as(Roles.AUDITOR).queryParam("after", model.substring(0, model.length() - 1))
                .queryParam("limit", 1).get("/api/v1/registry/models").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].name", equalTo(model)).extract().path("next");
        assertEquals(model, next);
        TestTokens.as(Roles.AUDITOR).queryParam("after", next).queryParam("limit", 1).get("/api/v1/registry/models")
                .then().statusCode(200).body("items[0].name", equalTo(second));

        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/7", model).then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", equalTo("The mirror has no version 7 of registered model '" + model + "'"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/seven", model).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", equalTo("Model version must be a positive whole number, was 'seven'"));
        TestTokens.as(Roles.AUDITOR).queryParam("at", "yesterday")
                .get("/api/v1/registry/models/{name}/aliases/champion/history", model).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", equalTo("at must be an ISO-8601 instant such as 2026-11-26T12:00:00Z, was 'yesterday'"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/no-such-model-{id}", TestTokens.shortId())
                .then().statusCode(404).contentType("application/problem+json").body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void shouldMirrorFromTheEventAloneWhenNoMlflowIsConfigured() {
        RegistryMirror offline = offlineMirror();

        int changes = QuarkusTransaction.requiringNew().call(() -> offline.apply(
                event(Kind.VERSION_CREATED, "1", null, "as the webhook said", T1, "webhook:o-1")));

        assertEquals(2, changes);
        assertEquals(0, fake.server().getAllServeEvents().size(), "no MLflow to read");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", model).then().statusCode(200)
                .body("description", equalTo("as the webhook said"))
                .body("status", nullValue())
                .body("currentStage", equalTo("None"))
                .body("deletedAt", nullValue());
        assertTrue(audit("model:" + model).get(1).payload().contains("\"completedFromMlflow\":false"));
    }

    private RegistryMirror offlineMirror() {
        return new RegistryMirror(new MlflowRegistrySource(new MlflowRegistryClient(TestMlflowConfig.of(null), json)),
                auditLog, published, Clock.systemUTC());
    }

    private void assertAt(String history, Instant at, String version) {
        TestTokens.as(Roles.AUDITOR).queryParam("at", at.toString()).get(history, model).then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].version", equalTo(version));
    }

    private RegistryEvent event(Kind kind, String version, String key, String value, Instant at, String origin) {
        return new RegistryEvent(kind, model, version, key, value, at, origin);
    }

    /** Audit events about this subject or anything under it (e.g. a model's versions and aliases), oldest first. */
    private List<AuditEventView> audit(String subject) {
        return auditTrail.events(0, 500, subject, null, null).items().stream()
                .filter(e -> e.subject().equals(subject) || e.subject().startsWith(subject + "/"))
                .toList();
    }
}
