package dev.quantgate.mlflow.poller;

import dev.quantgate.audit.AuditTrailService;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEvent.Kind;
import dev.quantgate.registry.RegistryEventSink;
import dev.quantgate.api.Roles;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.quantgate.mlflow.client.MlflowUnavailableException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The poller against a fake MLflow whose registry changes between polls. */
@QuarkusTest
class RegistryPollerTest {

    @Inject
    RegistryPoller poller;

    @Inject
    RegistryEventSink sink;

    @Inject
    AuditTrailService auditTrail;

    @Inject
    AgroalDataSource dataSource;

    FakeMlflow fake;
    String model;

    @BeforeEach
    void seed() {
        fake = FakeMlflow.get();
        fake.reset();
        model = "poll-" + TestTokens.shortId();
        fake.model(model).description = "polled model";
        fake.createVersion(model, "run1");
        fake.createVersion(model, "run2");
        fake.setTag(model, 1, "validation_status", "pending");
        fake.setAlias(model, "champion", 1);
    }

    @Test
    void shouldMirrorANewModelAndThenEmitNothingWhileNothingChanges() {
        RegistryPoller.PollResult first = poller.pollOnce();

        assertFalse(first.skipped());
        assertEquals(Set.of("MODEL_CREATED", "VERSION_CREATED 1", "VERSION_CREATED 2", "ALIAS_SET champion=1"),
                describe(mine(first)));
        assertTrue(mine(first).stream().allMatch(e -> e.origin().equals("poller")));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", model).then().statusCode(200)
                .body("tags.validation_status", equalTo("pending"))
                .body("aliases", equalTo(List.of("champion")));
        int audited = audited();

        RegistryPoller.PollResult second = poller.pollOnce();

        assertEquals(List.of(), mine(second));
        assertEquals(0, second.changes());
        assertEquals(audited, audited());
        io.restassured.RestAssured.get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("quantgate_mlflow_polls_total{outcome=\"completed\"}"));
    }

    @Test
    void shouldNoticeAliasMovesTagChangesAndLegacyStageTransitions() {
        poller.pollOnce();
        int audited = audited();

        fake.setAlias(model, "champion", 2);
        fake.setAlias(model, "challenger", 1);
        fake.transition(model, 1, "Archived");
        fake.transition(model, 2, "Production");
        fake.setTag(model, 2, "quantgate.int8", "done");
        fake.setTag(model, 1, "validation_status", "approved");
        RegistryPoller.PollResult changed = poller.pollOnce();

        assertEquals(Set.of("ALIAS_SET champion=2", "ALIAS_SET challenger=1", "STAGE_CHANGED 1 Archived",
                "STAGE_CHANGED 2 Production", "VERSION_TAG_SET 2 quantgate.int8=done",
                "VERSION_TAG_SET 1 validation_status=approved"), describe(mine(changed)));
        assertEquals(6, changed.changes());
        assertEquals(audited + 6, audited());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/2", model).then().statusCode(200)
                .body("currentStage", equalTo("Production"))
                .body("tags.'quantgate.int8'", equalTo("done"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/aliases/champion/history", model)
                .then().statusCode(200).body("items", hasSize(2))
                .body("items[0].version", equalTo("1")).body("items[0].validTo", notNullValue())
                .body("items[1].version", equalTo("2")).body("items[1].validTo", nullValue())
                .body("items[1].setBy", equalTo("poller"));

        fake.deleteTag(model, 1, "validation_status");
        fake.deleteAlias(model, "challenger");
        RegistryPoller.PollResult removed = poller.pollOnce();

        assertEquals(Set.of("VERSION_TAG_DELETED 1 validation_status", "ALIAS_DELETED challenger"),
                describe(mine(removed)));
        assertEquals(List.of(), mine(poller.pollOnce()));
    }

    @Test
    void shouldMarkVersionsDeletedInMlflowAndRefreshStatus() {
        poller.pollOnce();

        fake.deleteVersion(model, 2);
        fake.version(model, 1).description = "validated";
        RegistryPoller.PollResult result = poller.pollOnce();

        assertEquals(Set.of("VERSION_DELETED 2", "VERSION_UPDATED 1"), describe(mine(result)));
        assertEquals(2, result.changes());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/2", model).then().statusCode(200)
                .body("deletedAt", notNullValue());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", model).then().statusCode(200)
                .body("description", equalTo("validated"));
        assertEquals(0, poller.pollOnce().changes());
    }

    @Test
    void shouldNotReprocessWhatAWebhookAlreadyDelivered() {
        poller.pollOnce();
        fake.setAlias(model, "champion", 2);
        fake.setTag(model, 2, "k", "v");
        // the webhook path delivers both changes first
        assertEquals(1, sink.apply(new RegistryEvent(Kind.ALIAS_SET, model, "2", "champion", null, Instant.now(),
                "webhook:w-1")));
        assertEquals(1, sink.apply(new RegistryEvent(Kind.VERSION_TAG_SET, model, "2", "k", "v", Instant.now(),
                "webhook:w-2")));
        int audited = audited();

        RegistryPoller.PollResult result = poller.pollOnce();

        assertEquals(List.of(), mine(result));
        assertEquals(audited, audited());
    }

    @Test
    void shouldRefreshTheModelsDescriptionAndMirrorItsTags() {
        fake.model(model).tags.put("owner", "team-a");
        poller.pollOnce();
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}", model).then().statusCode(200)
                .body("description", equalTo("polled model"))
                .body("tags.owner", equalTo("team-a"));

        fake.model(model).description = "now described";
        fake.model(model).tags.put("owner", "team-b");
        fake.model(model).tags.put("risk", "high");
        RegistryPoller.PollResult changed = poller.pollOnce();

        assertEquals(Set.of("MODEL_UPDATED now described", "MODEL_TAG_SET owner=team-b", "MODEL_TAG_SET risk=high"),
                describe(mine(changed)));
        fake.model(model).tags.remove("risk");
        assertEquals(Set.of("MODEL_TAG_DELETED risk"), describe(mine(poller.pollOnce())));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}", model).then().statusCode(200)
                .body("description", equalTo("now described"))
                .body("tags", equalTo(java.util.Map.of("owner", "team-b")));
        assertEquals(List.of(), mine(poller.pollOnce()));
    }

    @Test
    void shouldMirrorTheDeletionOfAWholeModelOnce() {
        poller.pollOnce();

        fake.deleteModel(model);
        RegistryPoller.PollResult result = poller.pollOnce();

        assertTrue(describe(mine(result)).contains("MODEL_DELETED"), result.events().toString());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}", model).then().statusCode(200)
                .body("deletedAt", notNullValue())
                .body("aliases", hasSize(0));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", model).then().statusCode(200)
                .body("deletedAt", notNullValue());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/aliases/champion/history", model)
                .then().statusCode(200).body("items[0].validTo", notNullValue())
                .body("items[0].clearedBy", equalTo("poller"));
        int audited = audited();
        assertEquals(0, poller.pollOnce().changes(), "a deleted model is deleted once");
        assertEquals(audited, audited());
    }

    @Test
    void shouldDateWhatItFindsByMlflowsTimestamps() {
        poller.pollOnce();
        long created = fake.version(model, 2).created;
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/2", model).then().statusCode(200)
                .body("createdAt", equalTo(Instant.ofEpochMilli(created).toString()));

        fake.transition(model, 2, "Staging");
        long transitioned = fake.version(model, 2).lastUpdated;
        RegistryEvent stage = mine(poller.pollOnce()).get(0);

        assertEquals(Kind.STAGE_CHANGED, stage.kind());
        assertEquals(Instant.ofEpochMilli(transitioned), stage.occurredAt());
        assertTrue(created <= transitioned);
    }

    @Test
    void shouldSkipWhileAnotherPollHoldsTheLock() throws Exception {
        try (Connection other = dataSource.getConnection();
             PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)");
             PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            lock.setLong(1, RegistryPoller.LOCK_KEY);
            lock.execute();
            try {
                RegistryPoller.PollResult result = poller.pollOnce();
                assertTrue(result.skipped());
                assertEquals(0, fake.requests("GET", "registered-models/search"), "a skipped poll reads nothing");
            } finally {
                unlock.setLong(1, RegistryPoller.LOCK_KEY);
                unlock.execute();
            }
        }
        assertFalse(poller.pollOnce().skipped());
    }

    @Test
    void shouldApplyNothingWhenMlflowFailsMidPoll() {
        var failingSearch = fake.server().stubFor(get(urlPathEqualTo(FakeMlflow.API + "model-versions/search"))
                .atPriority(1).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThrows(MlflowUnavailableException.class, () -> poller.pollOnce());

        assertEquals(1, fake.requests("GET", "registered-models/search"), "models were read, versions were not");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}", model).then().statusCode(404);
        fake.server().removeStub(failingSearch);
        assertFalse(poller.pollOnce().events().isEmpty());
    }

    /** The poll's events about this test's model (the mirror also holds other tests' models, which it deletes). */
    private List<RegistryEvent> mine(RegistryPoller.PollResult result) {
        return result.events().stream().filter(e -> e.model().equals(model)).toList();
    }

    private int audited() {
        return (int) auditTrail.events(0, 500, "model:" + model, null, null).items().stream()
                .filter(e -> e.subject().equals("model:" + model) || e.subject().startsWith("model:" + model + "/"))
                .count();
    }

    private static Set<String> describe(List<RegistryEvent> events) {
        return events.stream().map(e -> switch (e.kind()) {
            case MODEL_CREATED -> "MODEL_CREATED";
            case VERSION_CREATED -> "VERSION_CREATED " + e.version();
            case ALIAS_SET -> "ALIAS_SET " + e.key() + "=" + e.version();
            case ALIAS_DELETED -> "ALIAS_DELETED " + e.key();
            case STAGE_CHANGED -> "STAGE_CHANGED " + e.version() + " " + e.value();
            case VERSION_TAG_SET -> "VERSION_TAG_SET " + e.version() + " " + e.key() + "=" + e.value();
            case VERSION_TAG_DELETED -> "VERSION_TAG_DELETED " + e.version() + " " + e.key();
            case MODEL_TAG_SET -> "MODEL_TAG_SET " + e.key() + "=" + e.value();
            case MODEL_TAG_DELETED -> "MODEL_TAG_DELETED " + e.key();
            case MODEL_UPDATED -> "MODEL_UPDATED " + e.value();
            default -> e.kind() + (e.version() == null ? "" : " " + e.version());
        }).collect(Collectors.toSet());
    }
}
