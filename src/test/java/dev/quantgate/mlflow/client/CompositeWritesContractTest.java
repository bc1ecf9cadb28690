package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.MlflowFixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each composite write sends exactly the requests QuantGate's recorded writes made to MLflow 3.5
 * ({@code rest/mlflow3/qg-*}, with this test's job id for the recorded one) and reads the recorded answers.
 */
@QuarkusTest
class CompositeWritesContractTest {

    private static final String RECORDED_JOB = "job-0f3c2a9e";
    private static final long JOB = 42;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    MlflowRegistryClient mlflow;

    FakeMlflow fake;

    @BeforeEach
    void reset() {
        fake = FakeMlflow.get();
        fake.reset();
    }

    @Test
    void shouldCreateTheExperimentAndTheRunAsRecorded() {
        serve("qg-experiments-get-by-name--error-not-found", "qg-experiments-create", "qg-runs-search-by-job-tag-empty",
                "qg-runs-create");
        MlflowFixtures.Exchange create = recorded("qg-runs-create");

        JsonNode answer = mlflow.execute(new MlflowWrite.CreateJobRun("credit-scorer", "1", JOB, "quantgate",
                "credit-scorer-v1-fp16", Map.of()), Instant.ofEpochMilli(create.requestBody().path("start_time").asLong()));

        assertEquals(json("{\"run_id\":\"e9c86af1eb4a48fa9d92a202735d7577\",\"experiment_id\":\"2\","
                + "\"artifact_uri\":\"mlflow-artifacts:/2/e9c86af1eb4a48fa9d92a202735d7577/artifacts\"}"), answer);
        assertEquals("quantgate", onlyQuery("experiments/get-by-name", "experiment_name"));
        assertSentAsRecorded("experiments/create", "qg-experiments-create");
        assertSentAsRecorded("runs/search", "qg-runs-search-by-job-tag-empty");
        assertSentAsRecorded("runs/create", "qg-runs-create");
    }

    @Test
    void shouldAnswerTheRunAnEarlierAttemptCreatedInsteadOfCreatingAnother() {
        serve("qg-runs-search-by-job-tag");
        fake.experiment("placeholder");
        fake.experiment("quantgate"); // id 2, as recorded

        JsonNode answer = mlflow.execute(new MlflowWrite.CreateJobRun("credit-scorer", "1", JOB, "quantgate",
                "credit-scorer-v1-fp16", Map.of()), Instant.now());

        assertEquals("e9c86af1eb4a48fa9d92a202735d7577", answer.path("run_id").asText());
        assertSentAsRecorded("runs/search", "qg-runs-search-by-job-tag");
        assertEquals(0, fake.requests("POST", "runs/create"));
        assertEquals(0, fake.requests("POST", "experiments/create"));
    }

    @Test
    void shouldLogTheResultsAndEndTheRunAsRecorded() {
        serve("qg-runs-log-batch", "qg-runs-update");
        JsonNode batch = recorded("qg-runs-log-batch").requestBody();
        Map<String, String> params = new LinkedHashMap<>();
        batch.path("params").forEach(p -> params.put(p.path("key").asText(), p.path("value").asText()));
        Map<String, Double> metrics = new LinkedHashMap<>();
        batch.path("metrics").forEach(m -> metrics.put(m.path("key").asText(), m.path("value").asDouble()));
        long at = batch.path("metrics").get(0).path("timestamp").asLong();

        JsonNode answer = mlflow.execute(new MlflowWrite.LogRunResults("credit-scorer", JOB,
                "e9c86af1eb4a48fa9d92a202735d7577", params, metrics, Map.of("quantgate.scheme", "fp16"), "FINISHED"),
                Instant.ofEpochMilli(at));

        assertEquals(recorded("qg-runs-update").responseBody(), answer);
        assertSentAsRecorded("runs/log-batch", "qg-runs-log-batch");
        ObjectNode update = recorded("qg-runs-update").requestBody().deepCopy();
        update.put("end_time", at); // one write, one time: the recording ended the run a little later
        assertEquals(canonical(update), canonical(fake.requestBodies("POST", "runs/update").get(0)));
    }

    @Test
    void shouldRegisterTheVariantWithItsTagsAsRecorded() {
        serve("qg-model-versions-search-by-job-tag-empty", "qg-model-versions-create-with-tags");
        JsonNode create = recorded("qg-model-versions-create-with-tags").requestBody();
        Map<String, String> tags = new LinkedHashMap<>();
        create.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
        tags.remove(MlflowWrite.JOB_TAG);

        JsonNode answer = mlflow.execute(new MlflowWrite.CreateVariantVersion("credit-scorer", JOB,
                create.path("source").asText(), create.path("run_id").asText(), tags), Instant.now());

        assertEquals(json("{\"version\":\"4\"}"), answer);
        assertEquals(withJob(recorded("qg-model-versions-search-by-job-tag-empty").query().get("filter")),
                onlyQuery("model-versions/search", "filter"));
        assertSentAsRecorded("model-versions/create", "qg-model-versions-create-with-tags");
    }

    @Test
    void shouldAnswerTheVersionAnEarlierAttemptRegisteredInsteadOfRegisteringAnother() {
        serve("qg-model-versions-search-by-job-tag");

        JsonNode answer = mlflow.execute(new MlflowWrite.CreateVariantVersion("credit-scorer", JOB,
                "mlflow-artifacts:/2/e9c86af1eb4a48fa9d92a202735d7577/artifacts/model",
                "e9c86af1eb4a48fa9d92a202735d7577", Map.of()), Instant.now());

        assertEquals("4", answer.path("version").asText());
        assertEquals(0, fake.requests("POST", "model-versions/create"));
    }

    /** Answers each fixture's method and path with its recorded answer, whatever the request carries. */
    private void serve(String... fixtures) {
        for (String fixture : fixtures) {
            MlflowFixtures.Exchange e = recorded(fixture);
            fake.server().stubFor(request(e.method(), urlPathEqualTo(e.path())).atPriority(2)
                    .willReturn(aResponse().withStatus(e.status()).withHeader("Content-Type", e.responseContentType())
                            .withBody(e.responseBodyRaw())));
        }
    }

    private void assertSentAsRecorded(String path, String fixture) {
        MlflowFixtures.Exchange e = recorded(fixture);
        List<JsonNode> sent = fake.requestBodies(e.method(), path);
        assertEquals(1, sent.size(), path + " sent once");
        assertEquals(withJob(canonical(e.requestBody())), canonical(sent.get(0)), fixture + ": body as recorded");
    }

    private String onlyQuery(String path, String parameter) {
        var requests = fake.server().findAll(RequestPatternBuilder.newRequestPattern(RequestMethod.GET,
                urlPathEqualTo(FakeMlflow.API + path)));
        assertEquals(1, requests.size(), path + " asked once");
        return requests.get(0).queryParameter(parameter).firstValue();
    }

    private static MlflowFixtures.Exchange recorded(String fixture) {
        return MlflowFixtures.rest("mlflow3/" + fixture);
    }

    /** Numbers as JCS writes them: MLflow's {@code 2251} and QuantGate's {@code 2251.0} are one value. */
    private static String canonical(JsonNode node) {
        return Jcs.canonicalize(node.toString());
    }

    private static String withJob(String text) {
        return text.replace(RECORDED_JOB, Long.toString(JOB));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
