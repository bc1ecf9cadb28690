package dev.quantgate.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.quantgate.api.Roles;
import dev.quantgate.jobs.JobsTestProfile;
import dev.quantgate.registry.RegistryChange;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.MlflowFixtures;
import dev.quantgate.testing.RawHttp;
import dev.quantgate.testing.TestTokens;
import java.nio.file.Path;
import java.nio.file.Files;
import dev.quantgate.policy.service.PolicyService;
import org.eclipse.microprofile.config.ConfigProvider;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.util.TypeLiteral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static dev.quantgate.gate.ProxyCalls.HTTP;
import static dev.quantgate.gate.ProxyCalls.aliasBody;
import static dev.quantgate.gate.ProxyCalls.endToEnd;
import static dev.quantgate.gate.ProxyCalls.get;
import static dev.quantgate.gate.ProxyCalls.post;
import static dev.quantgate.gate.ProxyCalls.proxy;
import static dev.quantgate.gate.ProxyCalls.setAlias;
import static dev.quantgate.gate.ProxyCalls.sha256;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QuantGate's MLflow proxy against the fake MLflow: everything passes through unchanged (REST answers byte for byte,
 * artifacts streamed both ways, authentication headers), a protected alias set or stage transition is decided first
 * and, unless allowed, refused in MLflow's own error shape without reaching MLflow; MLflow down is a 503 in its
 * shape; and a move the proxy let through is never reverted when MLflow reports it back.
 */
@QuarkusTest
@TestProfile(JobsTestProfile.class)
class MlflowProxyTest {

    private static final String ONE_ADMIN = "{required: 1, roles: [admin], not_requester: true}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> models = new ArrayList<>();
    private FakeMlflow fake;

    @BeforeEach
    void resetFake() {
        fake = FakeMlflow.get();
        fake.reset();
    }

    @AfterEach
    void everyDecisionReplays() {
        fake.up();
        GateApi.assertEveryDecisionReplays(models);
    }

    /** A model known to the fake and the mirror (champion on {@code holder}), governed by a policy with this rule. */
    private String model(Integer holder, String rule) {
        String model = GateFixtures.model();
        models.add(model);
        fake.seedFromFixtures(model);
        if (holder != null) {
            fake.setAlias(model, "champion", holder);
        }
        GateFixtures.mirror(model, holder);
        GateFixtures.writePolicy(model, ONE_ADMIN, rule);
        GateFixtures.evidence(model, "a");
        return model;
    }

    @Test
    void shouldPassARestCallThroughWithMlflowsStatusBodyAndHeaders() throws Exception {
        fake.replay("registered-models-get");
        MlflowFixtures.Exchange recorded = MlflowFixtures.rest("registered-models-get");
        String path = recorded.path() + "?name=" + recorded.query().get("name");

        HttpResponse<byte[]> direct = HTTP.send(get(URI.create(fake.url() + path)), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> proxied = HTTP.send(get(proxy(path)), HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(recorded.status(), proxied.statusCode());
        assertArrayEquals(recorded.responseBodyRaw().getBytes(StandardCharsets.UTF_8), proxied.body(),
                "the recorded body, byte for byte");
        assertEquals(recorded.responseContentType(), proxied.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(endToEnd(direct), endToEnd(proxied), "MLflow's end-to-end headers, unchanged");
    }

    @Test
    void shouldStreamAnArtifactDownloadAndAnUploadByteIdentical() throws Exception {
        byte[] artifact = new byte[30 * 1024 * 1024];
        new Random(7).nextBytes(artifact);
        fake.putArtifact("1/run-a/artifacts/model/weights.bin", artifact);

        String path = "/api/2.0/mlflow-artifacts/artifacts/1/run-a/artifacts/model/weights.bin";
        HttpResponse<Void> direct = HTTP.send(get(URI.create(fake.url() + path)), HttpResponse.BodyHandlers.discarding());
        HttpResponse<InputStream> download = HTTP.send(get(proxy(path)), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, download.statusCode());
        assertEquals(endToEnd(direct), endToEnd(download), "MLflow's headers, framing included");
        assertEquals(sha256(artifact), sha256(download.body()), "the downloaded bytes are the stored ones");

        byte[] upload = new byte[12 * 1024 * 1024];
        new Random(11).nextBytes(upload);
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(proxy("/api/2.0/mlflow-artifacts/artifacts/1/run-b/"
                        + "artifacts/model/upload.bin")).timeout(Duration.ofSeconds(60))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        assertEquals(sha256(upload), sha256(fake.artifact("1/run-b/artifacts/model/upload.bin")),
                "the fake stored exactly the uploaded bytes");
    }

    @Test
    void shouldRefuseADeniedAliasSetInMlflowsShapeNamingRuleAndDecisionAuditedCountedAndNeverForwarded() throws Exception {
        String model = model(1, GateFixtures.FAILING);

        HttpResponse<String> r = setAlias("/api/2.0/mlflow/", model, "champion", "2", null);

        assertEquals(403, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(List.of("error_code", "message"), fieldNames(body), "exactly MLflow's error fields");
        assertEquals("PERMISSION_DENIED", body.path("error_code").asText());
        JsonNode decision = onlyDecision(model);
        String message = body.path("message").asText();
        assertEquals("deny", decision.path("outcome").asText());
        assertEquals("alias:champion", decision.path("target").asText());
        assertTrue(message.contains("decision " + decision.path("id").asText()), message);
        assertTrue(message.contains("policy '" + model + "'"), message);
        JsonNode reason = decision.path("reasons").get(0);
        assertEquals("accuracy-floor", reason.path("rule").asText());
        assertTrue(message.contains("rule accuracy-floor [rule_failed]: " + reason.path("message").asText()), message);

        assertEquals(0, fake.requests("POST", "registered-models/alias"), "the refused call never reached MLflow");
        assertEquals(1, fake.alias(model, "champion"));
        TestTokens.as(Roles.AUDITOR).queryParam("subject", "decision:" + decision.path("id").asText())
                .get("/api/v1/audit/events").then().statusCode(200).body("items.action", hasItem("gate.proxy.refused"));
        assertTrue(RestAssured.get("/q/metrics").then().statusCode(200).extract().asString()
                .contains("quantgate_gate_proxy_refusals_total{policy=\"" + model + "\"} 1.0"), "the refusal is counted");
    }

    @Test
    void shouldForwardAnAllowedAliasSetAndAnswerWithMlflowsReply() throws Exception {
        String model = model(1, GateFixtures.PASSING);

        HttpResponse<String> r = setAlias("/api/2.0/mlflow/", model, "champion", "2", null);

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(MlflowFixtures.rest("registered-models-set-alias").responseBody(), JSON.readTree(r.body()));
        assertEquals(2, fake.alias(model, "champion"));
        List<JsonNode> sent = fake.requestBodies("POST", "registered-models/alias");
        assertEquals(List.of(JSON.readTree(aliasBody(model, "champion", "2"))), sent, "the original body reached MLflow");
        assertEquals("allow", onlyDecision(model).path("outcome").asText());
    }

    @Test
    void shouldRefuseADeniedLegacyStageTransitionWhateverTheStagesCase() throws Exception {
        String model = model(null, GateFixtures.FAILING);

        HttpResponse<String> r = post(proxy("/api/2.0/mlflow/model-versions/transition-stage"), "{\"name\": \"" + model
                + "\", \"version\": \"2\", \"stage\": \"production\", \"archive_existing_versions\": true}", null);

        assertEquals(403, r.statusCode(), r.body());
        assertEquals("PERMISSION_DENIED", JSON.readTree(r.body()).path("error_code").asText());
        assertEquals("stage:Production", onlyDecision(model).path("target").asText());
        assertEquals(0, fake.requests("POST", "model-versions/transition-stage"));
        assertEquals("None", fake.version(model, 2).stage);
    }

    @Test
    void shouldCatchTheAjaxPrefixAndOtherSpellingsOfTheRoute() throws Exception {
        String model = model(null, GateFixtures.FAILING);

        for (String prefix : List.of("/ajax-api/2.0/mlflow/", "/api/2.0/mlflow//", "/api/2.0/mlflow/./x/../")) {
            assertEquals(403, setAlias(prefix, model, "champion", "2", null).statusCode(), prefix);
        }
        HttpResponse<String> escaped = post(proxy("/api/2.0/mlflow/registered-models/%61lias"),
                aliasBody(model, "champion", "2"), null);
        assertEquals(403, escaped.statusCode(), escaped.body());
        assertEquals(0, fake.received("POST", "/ajax-api/2.0/mlflow/registered-models/alias").size()
                + fake.requests("POST", "registered-models/alias"));
    }

    @Test
    void shouldAnswerAnUnreadableGuardedCallWithMlflowsInvalidParameterAndNotForwardIt() throws Exception {
        String model = model(null, GateFixtures.PASSING);

        HttpResponse<String> broken = post(proxy("/api/2.0/mlflow/registered-models/alias"), "{\"name\": \"" + model, null);
        HttpResponse<String> missing = post(proxy("/api/2.0/mlflow/registered-models/alias"),
                "{\"name\": \"" + model + "\", \"version\": \"2\"}", null);
        HttpResponse<String> twice = post(proxy("/api/2.0/mlflow/registered-models/alias"), "{\"name\": \"" + model
                + "\", \"alias\": \"staging\", \"alias\": \"champion\", \"version\": \"2\"}", null);

        for (HttpResponse<String> r : List.of(broken, missing, twice)) {
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("INVALID_PARAMETER_VALUE", JSON.readTree(r.body()).path("error_code").asText(), r.body());
        }
        assertTrue(JSON.readTree(missing.body()).path("message").asText().contains("'alias'"), missing.body());
        assertEquals(0, fake.requests("POST", "registered-models/alias"));
    }

    @Test
    void shouldRefuseRenamingAGuardedModelOrRenamingAModelOntoAGuardedNameAndPassOtherRenames() throws Exception {
        String guarded = model(1, GateFixtures.FAILING);
        String free = "free-" + TestTokens.shortId();

        HttpResponse<String> away = post(proxy("/api/2.0/mlflow/registered-models/rename"),
                "{\"name\": \"" + guarded + "\", \"new_name\": \"" + free + "\"}", null);
        assertEquals(403, away.statusCode(), away.body());
        JsonNode body = JSON.readTree(away.body());
        assertEquals(List.of("error_code", "message"), fieldNames(body), "exactly MLflow's error fields");
        assertEquals("PERMISSION_DENIED", body.path("error_code").asText());
        assertEquals("QuantGate refused to rename model '" + guarded + "' to '" + free + "': policy '" + guarded
                + "' protects aliases or stages of the model named '" + guarded + "', and a rename would carry the "
                + "model's aliases and stages past the gate unjudged. Change the policy's selector first, or have an "
                + "MLflow administrator rename it outside QuantGate.", body.path("message").asText());

        HttpResponse<String> onto = post(proxy("/ajax-api/2.0/mlflow/registered-models//rename"),
                "{\"name\": \"" + free + "\", \"new_name\": \"" + guarded + "\"}", null);
        assertEquals(403, onto.statusCode(), onto.body());
        assertTrue(JSON.readTree(onto.body()).path("message").asText().contains("of the model named '" + guarded + "'"),
                onto.body());
        assertEquals(0, fake.requests("POST", "registered-models/rename"), "neither refused rename reached MLflow");
        TestTokens.as(Roles.AUDITOR).queryParam("subject", "model:" + guarded).get("/api/v1/audit/events").then()
                .statusCode(200).body("items.action", hasItem("gate.proxy.refused"));

        HttpResponse<String> bad = post(proxy("/api/2.0/mlflow/registered-models/rename"),
                "{\"name\": \"" + guarded + "\"}", null);
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("INVALID_PARAMETER_VALUE", JSON.readTree(bad.body()).path("error_code").asText());

        post(proxy("/api/2.0/mlflow/registered-models/rename"),
                "{\"name\": \"" + free + "\", \"new_name\": \"" + free + "-2\"}", null);
        assertEquals(1, fake.requests("POST", "registered-models/rename"), "a rename no policy guards goes to MLflow");
    }

    @Test
    void shouldJudgeTheNewNameOfARenameWithTheTagsTheModelTakesAlong() throws Exception {
        String target = GateFixtures.model(); // governed only for models tagged risk=high
        models.add(target);
        String policy = GateFixtures.policyText(target, ONE_ADMIN, GateFixtures.FAILING).replace(
                "selector: {models: [\"" + target + "\"]}", "selector: {models: [\"" + target + "\"], tags: {risk: high}}");
        Path dir = Path.of(ConfigProvider.getConfig().getValue("quantgate.policies.dir", String.class));
        Files.writeString(dir.resolve(target + ".yaml"), policy);
        Arc.container().instance(PolicyService.class).get().rescan();
        String tagged = "tagged-" + TestTokens.shortId();
        GateFixtures.mirror(tagged, 1); // tagged risk=high, governed by no policy under its own name

        HttpResponse<String> r = post(proxy("/api/2.0/mlflow/registered-models/rename"),
                "{\"name\": \"" + tagged + "\", \"new_name\": \"" + target + "\"}", null);

        assertEquals(403, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).path("message").asText().contains("policy '" + target + "' protects aliases"
                + " or stages of the model named '" + target + "'"), r.body());
        assertEquals(0, fake.requests("POST", "registered-models/rename"));
    }

    @Test
    void shouldPassAnUnprotectedAliasWithoutADecision() throws Exception {
        String model = model(null, GateFixtures.FAILING);

        HttpResponse<String> r = setAlias("/api/2.0/mlflow/", model, "staging", "2", null);

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, fake.alias(model, "staging"));
        TestTokens.as(Roles.AUDITOR).queryParam("model", model).get("/api/v1/decisions").then().statusCode(200)
                .body("items.size()", equalTo(0));
    }

    @Test
    void shouldPassAuthenticationThroughAndNameTheBasicAuthUserAsRequester() throws Exception {
        String model = model(1, GateFixtures.FAILING);
        String basic = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> read = HTTP.send(HttpRequest.newBuilder(proxy("/api/2.0/mlflow/registered-models/get?name="
                + model)).header("Authorization", "Bearer dapi-123").GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> allowed = setAlias("/api/2.0/mlflow/", model, "staging", "2", basic);
        HttpResponse<String> refused = setAlias("/api/2.0/mlflow/", model, "champion", "2", basic);

        assertEquals(200, read.statusCode(), read.body());
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertEquals(403, refused.statusCode(), refused.body());
        LoggedRequest get = fake.received("GET", FakeMlflow.API + "registered-models/get").get(0);
        assertEquals("Bearer dapi-123", get.getHeader("Authorization"));
        assertEquals(basic, fake.received("POST", FakeMlflow.API + "registered-models/alias").get(0).getHeader("Authorization"));
        assertEquals("alice", onlyDecision(model).path("requester").asText());
    }

    @Test
    void shouldDropHopByHopHeadersAndKeepEndToEndOnes() throws Exception {
        fake.replay("registered-models-get");
        String path = "/api/2.0/mlflow/registered-models/get?name=" + MlflowFixtures.rest("registered-models-get")
                .query().get("name");
        URI base = proxy("/");

        RawHttp.Answer answer = RawHttp.send(base, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort()
                + "\r\nConnection: close, X-Hop\r\nX-Hop: hop-secret\r\nProxy-Authorization: Basic cHJveHk6eA==\r\n"
                + "X-Request-Id: r-42\r\n\r\n");

        assertEquals(200, answer.status(), answer.body());
        LoggedRequest received = fake.received("GET", FakeMlflow.API + "registered-models/get").get(0);
        assertNull(received.getHeader("X-Hop"), "a header the Connection header names is hop-by-hop");
        assertNull(received.getHeader("Proxy-Authorization"), "proxy credentials stop at the proxy");
        assertEquals("r-42", received.getHeader("X-Request-Id"));
        assertNotEquals("127.0.0.1:" + base.getPort(), received.getHeader("Host"), "MLflow is asked as itself");
    }

    @Test
    void shouldAnswerInMlflowsShapeWith503WhenMlflowIsDown() throws Exception {
        String model = model(1, GateFixtures.PASSING);
        fake.down();

        HttpResponse<String> read = HTTP.send(get(proxy("/api/2.0/mlflow/registered-models/get?name=" + model)),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> write = setAlias("/api/2.0/mlflow/", model, "champion", "2", null);

        for (HttpResponse<String> r : List.of(read, write)) {
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
            JsonNode body = JSON.readTree(r.body());
            assertEquals("TEMPORARILY_UNAVAILABLE", body.path("error_code").asText(), r.body());
            assertTrue(body.path("message").asText().contains("MLflow is not reachable"), r.body());
        }
    }

    @Test
    void shouldForwardASetThatAnApprovedPromotionCoversAndRefuseItBeforeTheApproval() throws Exception {
        String model = model(1, GateFixtures.SMALL_GROUP);
        String promotion = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").then().statusCode(201)
                .body("state", equalTo("waiting")).extract().jsonPath().getString("id");

        HttpResponse<String> before = setAlias("/api/2.0/mlflow/", model, "champion", "2", null);
        assertEquals(403, before.statusCode(), before.body());
        assertTrue(before.body().contains("decided needs_approval"), before.body());
        GateApi.approve(TestTokens.as(Roles.ADMIN), promotion, "approve").then().statusCode(200)
                .body("state", equalTo("promoting"));
        HttpResponse<String> after = setAlias("/api/2.0/mlflow/", model, "champion", "2", null);

        assertEquals(200, after.statusCode(), after.body());
        assertEquals(2, fake.alias(model, "champion"));
        fire(new RegistryChange.AliasMoved(model, "champion", "2", "1", webhook(), Instant.now()));
        assertEquals(List.of("set-alias"), GateFixtures.outboxWrites(model).stream().map(w -> w.split(" ")[0]).toList(),
                "only the promotion's own write: the proxied set is not reverted");
    }

    @Test
    void shouldNotRevertAnAliasTheProxyLetThroughWhenMlflowReportsItAfterTheDecisionFlipped() throws Exception {
        String proxied = model(1, GateFixtures.PASSING);
        String direct = model(1, GateFixtures.PASSING);
        assertEquals(200, setAlias("/api/2.0/mlflow/", proxied, "champion", "2", null).statusCode());
        fake.setAlias(direct, "champion", 2);
        GateFixtures.writePolicy(proxied, ONE_ADMIN, GateFixtures.FAILING);
        GateFixtures.writePolicy(direct, ONE_ADMIN, GateFixtures.FAILING);

        fire(new RegistryChange.AliasMoved(proxied, "champion", "2", "1", webhook(), Instant.now()));
        fire(new RegistryChange.AliasMoved(direct, "champion", "2", "1", webhook(), Instant.now()));

        assertEquals(List.of(), GateFixtures.outboxWrites(proxied), "the move the proxy let through is its own echo");
        List<String> reverted = GateFixtures.outboxWrites(direct);
        assertEquals(2, reverted.size(), "the same move made behind QuantGate's back is reverted: " + reverted);
        assertTrue(reverted.get(0).startsWith("set-alias ") && reverted.get(0).contains("\"version\":\"1\""), reverted.toString());
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** The one decision stored for the model, as the auditor API shows it. */
    private static JsonNode onlyDecision(String model) throws IOException {
        Response r = TestTokens.as(Roles.AUDITOR).queryParam("model", model).get("/api/v1/decisions");
        r.then().statusCode(200).body("items.size()", equalTo(1));
        return JSON.readTree(r.asString()).path("items").get(0);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static RegistryChange.Origin webhook() {
        return new RegistryChange.Origin(RegistryChange.Origin.Kind.WEBHOOK, "d-" + TestTokens.shortId());
    }

    private static void fire(RegistryChange change) {
        Event<RegistryChange> changes = Arc.container().beanManager().getEvent().select(new TypeLiteral<RegistryChange>() {
        });
        QuarkusTransaction.requiringNew().run(() -> changes.fire(change));
    }
}
