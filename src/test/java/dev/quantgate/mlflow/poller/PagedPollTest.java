package dev.quantgate.mlflow.poller;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.quantgate.api.Roles;
import dev.quantgate.mlflow.client.MlflowUnavailableException;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The poller reads the registry in pages and commits each page's changes on its own. */
@QuarkusTest
@TestProfile(PagedPollTest.TwoModelsAPage.class)
class PagedPollTest {

    public static class TwoModelsAPage implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quantgate.mlflow.poll-page-size", "2");
        }
    }

    @Inject
    RegistryPoller poller;

    @Test
    void shouldKeepThePagesBeforeAFailureAndApplyTheRestOnTheNextPoll() {
        FakeMlflow fake = FakeMlflow.get();
        fake.reset();
        String prefix = "paged-" + TestTokens.shortId() + "-";
        for (String suffix : List.of("a", "b", "c", "d", "e")) {
            fake.model(prefix + suffix);
            fake.createVersion(prefix + suffix, "run-" + suffix);
        }
        var failing = fake.server().stubFor(get(urlPathEqualTo(FakeMlflow.API + "model-versions/search"))
                .withQueryParam("filter", equalTo("name='" + prefix + "e'")).atPriority(1)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThrows(MlflowUnavailableException.class, () -> poller.pollOnce());

        assertEquals(3, fake.requests("GET", "registered-models/search"), "three pages of two");
        for (String committed : List.of("a", "b", "c", "d")) {
            TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", prefix + committed)
                    .then().statusCode(200);
        }
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}", prefix + "e").then().statusCode(404);

        fake.server().removeStub(failing);
        List<RegistryEvent> next = poller.pollOnce().events().stream()
                .filter(e -> e.model().startsWith(prefix)).toList();

        assertTrue(next.stream().allMatch(e -> e.model().equals(prefix + "e")), "the committed pages are not redone: "
                + next);
        assertEquals(List.of(RegistryEvent.Kind.MODEL_CREATED, RegistryEvent.Kind.VERSION_CREATED),
                next.stream().map(RegistryEvent::kind).toList());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}/versions/1", prefix + "e").then()
                .statusCode(200);
    }
}
