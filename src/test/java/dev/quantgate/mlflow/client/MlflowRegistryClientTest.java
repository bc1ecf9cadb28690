package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.MlflowFixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adapter against MLflow's recorded answers, replayed verbatim, and against outages. */
@QuarkusTest
class MlflowRegistryClientTest {

    @Inject
    MlflowRegistryClient mlflow;

    @Inject
    ObjectMapper json;

    FakeMlflow fake;

    @BeforeEach
    void resetFake() {
        fake = FakeMlflow.get();
        fake.reset();
    }

    @Test
    void shouldPointAtTheFakeMlflowInTests() {
        assertTrue(mlflow.configured());
        assertEquals(fake.url(), mlflow.baseUrl());
    }

    @Test
    void shouldReadARegisteredModelWithAliasesThroughMlflowClient() {
        fake.replay("registered-models-get-with-alias");

        MlflowModel model = mlflow.getRegisteredModel("fixture-model");

        assertEquals("fixture-model", model.name());
        assertEquals("Fixture model for contract tests", model.description());
        assertEquals(1795715454633L, model.creationTimestamp());
        assertEquals(Map.of("owner", "team-a"), model.tags());
        assertEquals(Map.of("champion", "1"), model.aliases());
    }

    @Test
    void shouldReadAModelVersionThroughMlflowClient() {
        fake.replay("model-versions-get");

        MlflowModelVersion v = mlflow.getModelVersion("fixture-model", "1");

        assertEquals("1", v.version());
        assertEquals("READY", v.status());
        assertEquals("None", v.currentStage());
        assertEquals("2a53c6c0592b43919359cc3e5694dd7a", v.runId());
        assertEquals("mlflow-artifacts:/1/2a53c6c0592b43919359cc3e5694dd7a/artifacts/model", v.source());
        assertEquals(1795715455685L, v.creationTimestamp());
        assertEquals(Map.of("validation_status", "pending"), v.tags());
        assertEquals(List.of(), v.aliases());
    }

    @Test
    void shouldReadTheVersionAnAliasPointsAt() {
        fake.replay("registered-models-get-alias-after-move");

        MlflowModelVersion v = mlflow.getModelVersionByAlias("fixture-model", "champion");

        assertEquals("2", v.version());
        assertEquals(List.of("champion"), v.aliases());
    }

    @Test
    void shouldSearchModelVersionsThroughMlflowClient() {
        fake.replay("model-versions-search");

        List<MlflowModelVersion> versions = mlflow.searchModelVersions("fixture-model", 100);

        assertEquals(1, versions.size());
        assertEquals("first version (validated)", versions.get(0).description());
        fake.server().verify(getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/model-versions/search"))
                .withQueryParam("filter", equalTo("name='fixture-model'")));
    }

    @Test
    void shouldSearchRegisteredModelsOverRest() {
        fake.replay("registered-models-search", false);

        List<MlflowModel> models = mlflow.searchRegisteredModels(10);

        assertEquals(1, models.size());
        assertEquals("fixture-model", models.get(0).name());
        assertEquals(Map.of("owner", "team-a"), models.get(0).tags());
        assertEquals(Map.of(), models.get(0).aliases());
    }

    @Test
    void shouldFollowSearchPagesUntilTheLastOne() {
        for (int i = 0; i < 5; i++) {
            fake.model("paged-" + i);
            fake.createVersion("paged-0", "run" + i);
        }

        assertEquals(5, mlflow.searchRegisteredModels(2).size());
        assertEquals(5, mlflow.searchModelVersions("paged-0", 2).size());
        assertEquals(3, fake.requests("GET", "registered-models/search"));
        assertEquals(3, fake.requests("GET", "model-versions/search"));
    }

    @Test
    void shouldMapMissingVersionToResourceDoesNotExist() {
        fake.replay("model-versions-get--error-not-found");

        MlflowApiException e = assertThrows(MlflowApiException.class,
                () -> mlflow.getModelVersion("fixture-model", "999"));

        assertEquals(404, e.status());
        assertEquals("RESOURCE_DOES_NOT_EXIST", e.errorCode());
        assertEquals("Model Version (name=fixture-model, version=999) not found", e.mlflowMessage());
        assertTrue(e.isNotFound());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("404 RESOURCE_DOES_NOT_EXIST"), e.getMessage());
    }

    @Test
    void shouldMapMissingModelToResourceDoesNotExist() {
        fake.replay("registered-models-get--error-not-found");

        MlflowApiException e = assertThrows(MlflowApiException.class, () -> mlflow.getRegisteredModel("no-such-model"));

        assertEquals(404, e.status());
        assertTrue(e.isNotFound());
        assertEquals("Registered Model with name=no-such-model not found", e.mlflowMessage());
    }

    @Test
    void shouldReportAMissingAliasAsMlflowDoes() {
        fake.replay("registered-models-get-alias--error-not-found");

        MlflowApiException e = assertThrows(MlflowApiException.class,
                () -> mlflow.getModelVersionByAlias("fixture-model", "champion"));

        assertEquals(400, e.status());
        assertEquals("INVALID_PARAMETER_VALUE", e.errorCode());
        assertFalse(e.isNotFound());
        assertFalse(e.retryable());
    }

    @Test
    void shouldMapABadSearchFilterThroughMlflowClient() {
        fake.replay("model-versions-search--error-bad-filter", false);

        MlflowApiException e = assertThrows(MlflowApiException.class,
                () -> mlflow.searchModelVersions("x", 10));

        assertEquals(400, e.status());
        assertEquals("INVALID_PARAMETER_VALUE", e.errorCode());
        assertEquals("Invalid comparator for attribute: ==", e.mlflowMessage());
    }

    @Test
    void shouldSendEachRegistryWriteAsMlflowRecordedIt() {
        List<String> fixtures = List.of("registered-models-set-alias", "registered-models-delete-alias",
                "model-versions-set-tag", "model-versions-delete-tag", "model-versions-transition-stage");
        List<MlflowWrite.Call> writes = List.of(
                new MlflowWrite.SetAlias("fixture-model", "champion", "1"),
                new MlflowWrite.DeleteAlias("fixture-model", "champion"),
                new MlflowWrite.SetVersionTag("fixture-model", "1", "validation_status", "approved"),
                new MlflowWrite.DeleteVersionTag("fixture-model", "1", "validation_status"),
                new MlflowWrite.TransitionStage("fixture-model", "1", "Staging", false));
        for (int i = 0; i < writes.size(); i++) {
            MlflowFixtures.Exchange recorded = MlflowFixtures.rest(fixtures.get(i));
            fake.replay(fixtures.get(i));
            MlflowWrite.Call write = writes.get(i);

            JsonNode answer = mlflow.execute(write);

            assertEquals(recorded.method(), write.method(), fixtures.get(i));
            assertEquals(recorded.path(), FakeMlflow.API + write.path(), fixtures.get(i));
            assertEquals(recorded.responseBody(), answer, fixtures.get(i));
            List<JsonNode> sent = fake.requestBodies(write.method(), write.path());
            assertEquals(recorded.requestBody(), sent.get(sent.size() - 1), fixtures.get(i) + ": body as recorded");
        }
        assertEquals("Staging", mlflow.execute(writes.get(4)).path("model_version").path("current_stage").asText());
    }

    @Test
    void shouldMapRefusedWritesToMlflowErrorCodes() {
        fake.replay("registered-models-set-alias--error-version-not-found");
        fake.replay("model-versions-transition-stage--error-invalid-stage");
        fake.replay("registered-models-set-alias--error-reserved-alias");

        MlflowApiException missing = assertThrows(MlflowApiException.class,
                () -> mlflow.execute(new MlflowWrite.SetAlias("fixture-model", "challenger", "999")));
        assertEquals(404, missing.status());
        assertEquals("RESOURCE_DOES_NOT_EXIST", missing.errorCode());

        MlflowApiException stage = assertThrows(MlflowApiException.class,
                () -> mlflow.execute(new MlflowWrite.TransitionStage("fixture-model", "1", "Canary", false)));
        assertEquals(400, stage.status());
        assertEquals("INVALID_PARAMETER_VALUE", stage.errorCode());
        assertTrue(stage.mlflowMessage().startsWith("Invalid Model Version stage: Canary"), stage.mlflowMessage());

        MlflowFixtures.Exchange reserved = MlflowFixtures.rest("registered-models-set-alias--error-reserved-alias");
        MlflowApiException reservedError = assertThrows(MlflowApiException.class, () -> mlflow.execute(
                new MlflowWrite.SetAlias("fixture-model", reserved.requestValue("alias"), reserved.requestValue("version"))));
        assertEquals(reserved.status(), reservedError.status());
        assertEquals(reserved.responseBody().path("error_code").asText(), reservedError.errorCode());
        assertFalse(reservedError.retryable());
    }

    @Test
    void shouldTreatOverloadAndServerErrorsAsRetryable() {
        fake.answerAll(503, "upstream unavailable");
        MlflowApiException unavailable = assertThrows(MlflowApiException.class,
                () -> mlflow.execute(new MlflowWrite.DeleteAlias("m", "a")));
        assertEquals(503, unavailable.status());
        assertNull(unavailable.errorCode());
        assertTrue(unavailable.retryable());
        MlflowApiException viaClient = assertThrows(MlflowApiException.class, () -> mlflow.getModelVersion("m", "1"));
        assertTrue(viaClient.retryable());

        fake.up();
        fake.answerAll(429, "{\"error_code\": \"REQUEST_LIMIT_EXCEEDED\", \"message\": \"slow down\"}");
        MlflowApiException limited = assertThrows(MlflowApiException.class,
                () -> mlflow.execute(new MlflowWrite.DeleteAlias("m", "a")));
        assertEquals("REQUEST_LIMIT_EXCEEDED", limited.errorCode());
        assertTrue(limited.retryable());
    }

    @Test
    void shouldReportAResetConnectionAsUnavailableOnBothPaths() {
        fake.down();

        MlflowUnavailableException read = assertThrows(MlflowUnavailableException.class,
                () -> mlflow.getModelVersion("fixture-model", "1"));
        MlflowUnavailableException write = assertThrows(MlflowUnavailableException.class,
                () -> mlflow.execute(new MlflowWrite.SetAlias("fixture-model", "champion", "1")));

        assertTrue(read.retryable());
        assertTrue(write.retryable());
        assertTrue(write.getMessage().contains("cannot be reached"), write.getMessage());
    }

    @Test
    void shouldGiveUpAfterTheReadTimeoutOnBothPaths() {
        fake.seedFromFixtures();
        fake.slow(Duration.ofSeconds(4));
        MlflowRegistryClient impatient = new MlflowRegistryClient(
                new TestMlflowConfig(fake.url(), MlflowConfig.AuthMode.none, null, null, Duration.ofMillis(500)), json);

        long start = System.nanoTime();
        assertThrows(MlflowUnavailableException.class, () -> impatient.getModelVersion("fixture-model", "1"));
        MlflowUnavailableException write = assertThrows(MlflowUnavailableException.class,
                () -> impatient.execute(new MlflowWrite.SetAlias("fixture-model", "champion", "1")));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(write.getMessage().contains("timeout"), write.getMessage());
        assertTrue(elapsedMs < 7_000, "both calls should give up long before the 4 s answers, took " + elapsedMs);
    }

    @Test
    void shouldReportConnectionRefusedAsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        MlflowRegistryClient nowhere = new MlflowRegistryClient(TestMlflowConfig.of("http://127.0.0.1:" + closedPort), json);

        assertThrows(MlflowUnavailableException.class, () -> nowhere.getRegisteredModel("fixture-model"));
        assertThrows(MlflowUnavailableException.class, () -> nowhere.searchRegisteredModels(10));
    }

    @Test
    void shouldFailClearlyWhenNoMlflowIsConfigured() {
        MlflowRegistryClient none = new MlflowRegistryClient(TestMlflowConfig.of(null), json);

        assertFalse(none.configured());
        MlflowUnavailableException e = assertThrows(MlflowUnavailableException.class,
                () -> none.getModelVersion("fixture-model", "1"));
        assertTrue(e.getMessage().contains("QUANTGATE_MLFLOW_URL"), e.getMessage());
    }

    @Test
    void shouldSendBearerAndBasicCredentialsOnBothPaths() {
        fake.seedFromFixtures();
        MlflowRegistryClient bearer = new MlflowRegistryClient(
                new TestMlflowConfig(fake.url(), MlflowConfig.AuthMode.bearer, null, "s3cret-token", Duration.ofSeconds(2)),
                json);
        bearer.getModelVersion("fixture-model", "1");
        bearer.execute(new MlflowWrite.SetAlias("fixture-model", "champion", "1"));
        fake.server().verify(getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/model-versions/get"))
                .withHeader("Authorization", equalTo("Bearer s3cret-token")));
        fake.server().verify(postRequestedFor(urlPathEqualTo("/api/2.0/mlflow/registered-models/alias"))
                .withHeader("Authorization", equalTo("Bearer s3cret-token")));

        MlflowRegistryClient basic = new MlflowRegistryClient(
                new TestMlflowConfig(fake.url(), MlflowConfig.AuthMode.basic, "alice", "pw", Duration.ofSeconds(2)), json);
        basic.getRegisteredModel("fixture-model");
        basic.execute(new MlflowWrite.DeleteAlias("fixture-model", "champion"));
        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:pw".getBytes());
        fake.server().verify(getRequestedFor(urlPathEqualTo("/api/2.0/mlflow/registered-models/get"))
                .withHeader("Authorization", equalTo(expected)));
    }
}
