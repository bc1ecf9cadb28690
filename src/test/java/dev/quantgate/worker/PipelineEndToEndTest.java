package dev.quantgate.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.Roles;
import dev.quantgate.mlflow.webhook.SignatureVerifier;
import dev.quantgate.testing.Await;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.FakeTracking;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registration to evidence in one process, as a user meets it: an Adult model logged the way
 * {@code mlflow.onnx.log_model} logs it (an MLflow 3 logged model, tensors as external data) and registered from
 * its {@code models:/m-…} source with the evaluation and calibration sets named by tags; MLflow's webhook says
 * {@code run_id: null}. Without anything else the four variants appear as MLflow versions with runs, and the
 * evidence's figures equal a direct evaluation of the same files.
 */
@QuarkusTest
@TestProfile(PipelineTestProfile.class)
class PipelineEndToEndTest {

    private static final String MODEL = "adult-e2e";
    private static final Set<String> SCHEMES = Set.of("int8-dynamic", "int8-static", "fp16", "int4-weight-only");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path files;

    @Test
    @SuppressWarnings("unchecked")
    void shouldTurnARegisteredVersionIntoFourEvaluatedVariants() throws Exception {
        FakeMlflow mlflow = FakeMlflow.get();
        RegisteredAdult adult = RegisteredAdult.register(mlflow, MODEL, files);
        FakeMlflow.VersionState version = adult.version();
        Path source = adult.source();
        Path dataset = adult.dataset();
        Path calibration = adult.calibration();

        deliver(adult.createdDelivery());

        Await.until(() -> mlflow.versionsOf(MODEL).size() == 5
                        && "evaluated".equals(mlflow.version(MODEL, version.version).tags.get("quantgate.status"))
                        && mlflow.version(MODEL, version.version).tags.containsKey("quantgate.variants"),
                Duration.ofMinutes(8), "four variant versions registered and the source tagged evaluated");

        JsonPath jobs = TestTokens.as(Roles.AUDITOR).queryParam("model", MODEL).get("/api/v1/jobs")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(4, jobs.getList("items").size(), jobs.prettify());
        assertEquals(SCHEMES, new HashSet<>(jobs.getList("items.scheme", String.class)));
        assertEquals(List.of("succeeded", "succeeded", "succeeded", "succeeded"), jobs.getList("items.state", String.class));

        Set<String> variantNumbers = new TreeSet<>();
        Set<String> seenSchemes = new HashSet<>();
        for (FakeMlflow.VersionState variant : mlflow.versionsOf(MODEL)) {
            if (variant.version == version.version) {
                continue;
            }
            variantNumbers.add(Integer.toString(variant.version));
            Map<String, String> tags = variant.tags;
            assertEquals(Integer.toString(version.version), tags.get("quantgate.variant_of"), tags.toString());
            String scheme = tags.get("quantgate.scheme");
            assertTrue(seenSchemes.add(scheme), "one version per scheme: " + scheme);
            assertTrue(tags.get("quantgate.spec_sha256").matches("[0-9a-f]{64}"), tags.toString());
            assertNotNull(tags.get("quantgate.job_id"), tags.toString());
            assertEquals("runs:/" + variant.runId + "/model", variant.source);

            FakeTracking.RunState run = mlflow.run(variant.runId);
            assertEquals("FINISHED", run.status);
            assertEquals(scheme, run.params.get("scheme"));
            for (String metric : List.of("size_bytes_source", "size_bytes_variant", "accuracy_source", "accuracy_variant",
                    "accuracy_delta", "worst_group_accuracy_drop", "flip_rate", "latency_p50_ratio")) {
                assertTrue(run.metrics.containsKey(metric), metric + " logged on the run: " + run.metrics.keySet());
            }
            for (String artifact : List.of("model/MLmodel", "evaluation.json", "evaluation.md")) {
                assertNotNull(mlflow.artifact(run.artifactUri() + "/" + artifact), artifact + " uploaded to the run");
            }

            String sha = tags.get("quantgate.evidence_sha256");
            String body = TestTokens.as(Roles.AUDITOR).get("/api/v1/evidence/" + sha).then().statusCode(200)
                    .extract().asString();
            Map<String, Object> evidence = JSON.readValue(body, Map.class);
            assertEquals(scheme, evidence.get("scheme"));
            assertEquals(Integer.toString(version.version), String.valueOf(evidence.get("source_version")));
            assertEquals(DirectoryManifest.of(source).sha256(), ((Map<String, Object>) evidence.get("source_artifact")).get("sha256"),
                    "the evidence is bound to the source files exactly as logged");
            assertEquals(DirectoryManifest.sha256(dataset), ((Map<String, Object>) evidence.get("dataset")).get("sha256"));
            Path variantDir = Files.createDirectories(files.resolve("variant-" + scheme));
            for (String name : ((Map<String, Object>) ((Map<String, Object>) evidence.get("variant_artifact")).get("files")).keySet()) {
                Files.write(variantDir.resolve(name), mlflow.artifact(run.artifactUri() + "/model/" + name));
            }
            assertEquals(((Map<String, Object>) evidence.get("variant_artifact")).get("sha256"),
                    DirectoryManifest.of(variantDir).sha256(), "the evidence is bound to the variant files MLflow holds");
            WorkerFixtures.assertEvaluationEqualsDirectCall(evidence, onnxFile(source), onnxFile(variantDir), dataset,
                    scheme.equals("int8-static") ? calibration : null);

            TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/" + MODEL + "/versions/" + version.version + "/evidence")
                    .then().statusCode(200);
        }
        assertEquals(SCHEMES, seenSchemes);
        assertEquals(variantNumbers, new TreeSet<>(List.of(
                mlflow.version(MODEL, version.version).tags.get("quantgate.variants").split(","))));
    }

    private static Path onnxFile(Path dir) throws java.io.IOException {
        try (Stream<Path> each = Files.list(dir)) {
            return each.filter(p -> p.toString().endsWith(".onnx")).findFirst().orElseThrow();
        }
    }

    private static void deliver(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        RestAssured.given().config(RestAssuredConfig.config().encoderConfig(
                        EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .header("Content-Type", "application/json").header("X-MLflow-Delivery-Id", id)
                .header("X-MLflow-Timestamp", timestamp)
                .header("X-MLflow-Signature", SignatureVerifier.sign(PipelineTestProfile.SECRET, id, timestamp, bytes))
                .body(bytes).post("/api/v1/mlflow/webhooks").then().statusCode(202);
    }
}
