package dev.quantgate.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.Roles;
import dev.quantgate.mlflow.webhook.SignatureVerifier;
import dev.quantgate.policy.service.PolicyService;
import dev.quantgate.testing.Await;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.FakeTracking;
import dev.quantgate.testing.TestTokens;
import dev.quantgate.worker.PipelineTestProfile;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Why per-group rules exist, shown with QuantGate's own quantizer: the {@link PlantedHarm} credit model is
 * registered in MLflow, the pipeline makes and evaluates its int8-dynamic and int4-weight-only variants, and the
 * gate judges their promotion to {@code champion}. int8 is harmless and allowed. int4 loses little accuracy overall
 * (within the policy's 0.03) but about a fifth of thin-file group C's: the per-group rule denies it and names the
 * group, while a dry run under the same policy with the overall rule alone, or with a demographic-parity change
 * rule alone, would have allowed it: group C starts far above the others' approval rate and int4 pulls it towards
 * them, so the parity difference shrinks while the group's accuracy falls.
 */
@QuarkusTest
@TestProfile(PipelineTestProfile.class)
class PlantedHarmTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OVERALL = "{id: accuracy-drop, metric: accuracy, change: {max_decrease: 0.03}, bound: ci}";
    private static final String PER_GROUP = "{id: group-accuracy-drop, metric: accuracy, per_group: all,"
            + " change: {max_decrease: 0.02}, bound: ci}";
    private static final String PARITY = "{id: parity-change, metric: demographic_parity_difference,"
            + " change: {max_increase: 0.02}, bound: ci}";

    @TempDir
    Path files;

    private final List<String> models = new ArrayList<>();

    @AfterEach
    void everyDecisionReplays() {
        assertEquals(2, GateApi.assertEveryDecisionReplays(models), "both promotions were decided and stored");
    }

    @Test
    void shouldAllowTheHarmlessInt8VariantAndDenyTheInt4OneThatHurtsOneGroupOnly() throws Exception {
        String model = "harm-" + TestTokens.shortId();
        models.add(model);
        writePolicy(model, policy(model, model, OVERALL, PER_GROUP));
        FakeMlflow mlflow = FakeMlflow.get();
        int source = register(mlflow, model);

        Await.until(() -> mlflow.versionsOf(model).size() == 3
                        && "evaluated".equals(mlflow.version(model, source).tags.get("quantgate.status"))
                        && mlflow.version(model, source).tags.containsKey("quantgate.variants"),
                Duration.ofMinutes(5), "both variants registered and the source tagged evaluated");
        Map<String, Integer> variants = new HashMap<>();
        for (FakeMlflow.VersionState v : mlflow.versionsOf(model)) {
            if (v.version != source) {
                variants.put(v.tags.get("quantgate.scheme"), v.version);
                // MLflow tells QuantGate of every version it creates, the variants included
                deliver(createdDelivery(model, v.version, v.source, v.runId));
            }
        }
        assertEquals(Set.of("int8-dynamic", "int4-weight-only"), variants.keySet());
        int int8 = variants.get("int8-dynamic");
        int int4 = variants.get("int4-weight-only");
        for (int v : List.of(int8, int4)) {
            Await.until(() -> TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/" + model + "/versions/" + v)
                    .statusCode() == 200, Duration.ofSeconds(30), "variant version " + v + " mirrored");
        }

        // the evidence QuantGate recorded: int8 harmless, int4 within the overall threshold but not for group C
        JsonNode e8 = evaluation(mlflow, model, int8);
        JsonNode e4 = evaluation(mlflow, model, int4);
        assertEquals(240, e4.at("/source/by_attribute/group/groups/C/count").asInt(), "group C is 6% of 4,000 rows");
        assertTrue(decrease(e8, null) < 0.005, "int8 overall: " + decrease(e8, null));
        for (String g : List.of("A", "B", "C")) {
            assertTrue(decrease(e8, g) < 0.005, "int8 group " + g + ": " + decrease(e8, g));
        }
        double overall4 = decrease(e4, null);
        double[] overall4Ci = decreaseInterval(e4, null);
        assertTrue(overall4 > 0.005 && overall4Ci[1] < 0.03, "int4 overall drop " + overall4 + ", its worst end "
                + overall4Ci[1] + ", within 0.03");
        double groupC = decrease(e4, "C");
        assertTrue(groupC > 0.15 && decreaseInterval(e4, "C")[0] > 0.02, "int4 group C drop " + groupC);
        assertTrue(decrease(e4, "A") < 0.005 && decrease(e4, "B") < 0.005, "groups A and B keep their accuracy");
        double paritySource = e4.at("/source/by_attribute/group/fairness_supported/demographic_parity_difference").asDouble();
        double parityVariant = e4.at("/variant/by_attribute/group/fairness_supported/demographic_parity_difference").asDouble();
        assertTrue(paritySource > 0.3 && parityVariant < paritySource - 0.1,
                "group C's approval rate starts far from the others' and int4 moves it towards them: "
                        + paritySource + " -> " + parityVariant);

        // the gate: int8 allowed (and set in MLflow), int4 denied by the per-group rule alone, group C named
        Response allowed = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, Integer.toString(int8), "champion");
        allowed.then().statusCode(201);
        assertEquals("allow", allowed.jsonPath().getString("decision.outcome"), allowed.asString());
        assertEquals("promoting", allowed.jsonPath().getString("state"));
        Await.until(() -> Integer.valueOf(int8).equals(mlflow.alias(model, "champion")), Duration.ofSeconds(30),
                "champion set on the int8 variant in MLflow");

        Response denied = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, Integer.toString(int4), "champion");
        denied.then().statusCode(201);
        assertEquals("deny", denied.jsonPath().getString("decision.outcome"), denied.asString());
        assertEquals("denied", denied.jsonPath().getString("state"));
        JsonNode decision = JSON.readTree(denied.asString()).path("decision");
        assertEquals(Set.of("group=C"), failingGroups(decision.path("results")), "only group C fails");
        assertEquals(Set.of("pass"), statuses(decision.path("results"), "accuracy-drop"),
                "the overall rule passes in the same decision: " + decision.path("results"));
        String sentence = reasonOf(decision, "group-accuracy-drop", "group=C");
        assertTrue(sentence.startsWith("accuracy for group=C fell by ") && sentence.contains("more than the 0.02 allowed"),
                sentence);
        assertEquals(Integer.valueOf(int8), mlflow.alias(model, "champion"), "the denied variant never became champion");

        // under the same evaluation section with the overall rule only, or a parity rule only, int4 would pass
        JsonNode overallOnly = dryRun(model, int4, policy(model, model + "-overall-only", OVERALL));
        assertEquals("allow", overallOnly.path("outcome").asText(), overallOnly.toString());
        JsonNode parityOnly = dryRun(model, int4, policy(model, model + "-parity-only", PARITY));
        assertEquals("allow", parityOnly.path("outcome").asText(), parityOnly.toString());
        assertEquals(Set.of("group"), groupsOf(parityOnly.path("results")), "the parity rule judged the attribute");
        JsonNode inForce = dryRun(model, int4, null);
        assertEquals("deny", inForce.path("outcome").asText(), "the dry run agrees with the decision");
    }

    private static String policy(String model, String name, String... rules) {
        StringBuilder y = new StringBuilder("""
                apiVersion: quantgate.dev/v1
                kind: QuantizationPolicy
                metadata: {name: %s, description: "Credit models: int8 and int4 variants judged per group"}
                spec:
                  selector: {models: ["%s"]}
                  protect: {aliases: [champion]}
                  evaluation:
                    dataset: {tag: quantgate.eval_dataset}
                    label: repaid
                    positive: "yes"
                    classes: ["yes", "no"]
                    sensitive: [group]
                    bootstrap: 200
                    min_group_size: 100
                  variants:
                    - {scheme: int8-dynamic, min_tensor_size: 0}
                    - {scheme: int4-weight-only, block_size: 32, min_tensor_size: 0}
                  rules:
                """.formatted(name, model));
        for (String r : rules) {
            y.append("    - ").append(r).append('\n');
        }
        y.append("  approvals: {required: 1, roles: [admin], not_requester: true}\n");
        return y.toString();
    }

    private static void writePolicy(String model, String text) throws IOException {
        Path dir = Path.of(ConfigProvider.getConfig().getValue("quantgate.policies.dir", String.class));
        Files.writeString(dir.resolve(model + ".yaml"), text);
        Arc.container().instance(PolicyService.class).get().rescan();
    }

    /** Logs the model and its evaluation set as MLflow 3 would, registers it, and tells QuantGate; its version. */
    private int register(FakeMlflow mlflow, String model) throws IOException {
        FakeTracking.RunState training = mlflow.createRun("training", "train-credit-logistic");
        FakeTracking.LoggedModel logged = mlflow.logModel(training, "model");
        Path dir = files.resolve("source");
        PlantedHarm.writeModelDir(dir);
        try (Stream<Path> each = Files.list(dir)) {
            for (Path f : each.toList()) {
                mlflow.putArtifact(logged.artifactUri() + "/" + f.getFileName(), Files.readAllBytes(f));
            }
        }
        Path dataset = files.resolve("credit.csv");
        PlantedHarm.writeDataset(dataset);
        mlflow.putArtifact(training.artifactUri() + "/eval/credit.csv", Files.readAllBytes(dataset));
        FakeMlflow.VersionState version = mlflow.createVersionFrom(model, "models:/" + logged.id(), training.id);
        mlflow.setTag(model, version.version, "quantgate.eval_dataset", "eval/credit.csv");
        deliver(createdDelivery(model, version.version, "models:/" + logged.id(), null));
        return version.version;
    }

    private static String createdDelivery(String model, int version, String source, String runId) {
        return "{\"entity\": \"model_version\", \"action\": \"created\", \"timestamp\": \"" + Instant.now()
                + "\", \"data\": {\"name\": \"" + model + "\", \"version\": \"" + version + "\", \"source\": \"" + source
                + "\", \"run_id\": " + (runId == null ? "null" : "\"" + runId + "\"")
                + ", \"tags\": {}, \"description\": null}}";
    }

    private static void deliver(String body) {
        String secret = ConfigProvider.getConfig().getValues("quantgate.webhook.secrets", String.class).get(0);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        RestAssured.given().config(RestAssuredConfig.config().encoderConfig(
                        EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .header("Content-Type", "application/json").header("X-MLflow-Delivery-Id", id)
                .header("X-MLflow-Timestamp", timestamp)
                .header("X-MLflow-Signature", SignatureVerifier.sign(secret, id, timestamp, bytes))
                .body(bytes).post("/api/v1/mlflow/webhooks").then().statusCode(202);
    }

    /** The evaluation report in the evidence QuantGate recorded for a variant version. */
    private static JsonNode evaluation(FakeMlflow mlflow, String model, int version) throws IOException {
        String sha = mlflow.version(model, version).tags.get("quantgate.evidence_sha256");
        assertNotNull(sha, "variant " + version + " names its evidence");
        String body = TestTokens.as(Roles.AUDITOR).get("/api/v1/evidence/" + sha).then().statusCode(200).extract().asString();
        JsonNode evaluation = JSON.readTree(body).path("evaluation");
        assertTrue(evaluation.path("delta").isObject(), body);
        return evaluation;
    }

    /** Source − variant accuracy, overall ({@code group} null) or for one {@code group} value. */
    private static double decrease(JsonNode evaluation, String group) {
        JsonNode figure = deltaHolder(evaluation, group).path("accuracy");
        assertTrue(figure.isNumber(), "accuracy delta of " + group + " in " + evaluation.path("delta"));
        return -figure.asDouble();
    }

    private static double[] decreaseInterval(JsonNode evaluation, String group) {
        JsonNode ci = deltaHolder(evaluation, group).path("ci").path("accuracy");
        assertEquals(2, ci.size(), "accuracy delta interval of " + group);
        return new double[] {-ci.get(1).asDouble(), -ci.get(0).asDouble()};
    }

    private static JsonNode deltaHolder(JsonNode evaluation, String group) {
        return group == null ? evaluation.path("delta").path("overall")
                : evaluation.path("delta").path("by_attribute").path("group").path("groups").path(group);
    }

    private static Set<String> failingGroups(JsonNode results) {
        Set<String> out = new TreeSet<>();
        for (JsonNode r : results) {
            if ("fail".equals(r.path("status").asText())) {
                assertEquals("group-accuracy-drop", r.path("rule").asText(), r.toString());
                out.add(r.path("group").asText());
            }
        }
        return out;
    }

    private static Set<String> statuses(JsonNode results, String rule) {
        Set<String> out = new TreeSet<>();
        for (JsonNode r : results) {
            if (rule.equals(r.path("rule").asText())) {
                out.add(r.path("status").asText());
            }
        }
        return out;
    }

    private static Set<String> groupsOf(JsonNode results) {
        Set<String> out = new TreeSet<>();
        for (JsonNode r : results) {
            assertEquals("pass", r.path("status").asText(), r.toString());
            out.add(r.path("group").asText());
        }
        return out;
    }

    /** The sentence the decision gives for a rule's result on one group, as listed in its reasons. */
    private static String reasonOf(JsonNode decision, String rule, String group) {
        String message = null;
        for (JsonNode r : decision.path("results")) {
            if (rule.equals(r.path("rule").asText()) && group.equals(r.path("group").asText())) {
                message = r.path("message").asText();
            }
        }
        assertNotNull(message, "a result of " + rule + " for " + group);
        boolean listed = false;
        for (JsonNode reason : decision.path("reasons")) {
            listed |= "rule_failed".equals(reason.path("code").asText()) && message.equals(reason.path("message").asText());
        }
        assertTrue(listed, "the reasons name it: " + decision.path("reasons"));
        return message;
    }

    private static JsonNode dryRun(String model, int version, String policyText) throws IOException {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("version", Integer.toString(version));
        body.put("alias", "champion");
        if (policyText != null) {
            body.put("policy_text", policyText);
        }
        Response r = TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON).body(JSON.writeValueAsString(body))
                .post("/api/v1/gate/evaluate");
        assertEquals(200, r.statusCode(), r.asString());
        return JSON.readTree(r.asString());
    }
}
