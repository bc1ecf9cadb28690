package dev.quantgate.policy;

import dev.quantgate.policy.service.PolicyService;
import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policies API over a real PostgreSQL: status, versions by hash, refusals, conflicts, the schema. */
@QuarkusTest
@TestProfile(PolicyTestProfile.class)
class PolicyApiTest {

    @Inject
    PolicyService policies;

    @ConfigProperty(name = "quantgate.policies.dir")
    String dir;

    private void write(String file, String text) throws IOException {
        Files.writeString(Path.of(dir).resolve(file), text);
    }

    private static ValidatableResponse reload() {
        return TestTokens.as(Roles.ADMIN).post("/api/v1/policies/reload").then().statusCode(200);
    }

    @Test
    void shouldServeTheShippedSchema() throws IOException {
        String shipped;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("policy/quantization-policy.schema.json")) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String served = TestTokens.as(Roles.WORKER).get("/api/v1/policies/schema").then().statusCode(200)
                .contentType(startsWith("application/schema+json"))
                .body("$schema", equalTo("https://json-schema.org/draft/2020-12/schema"))
                .body("properties.kind.const", equalTo("QuantizationPolicy"))
                .extract().asString();
        assertEquals(shipped, served);
    }

    @Test
    void shouldPickUpAChangedFileAndKeepEveryVersionByHash() throws IOException {
        String v1 = PolicyFiles.policy("versions-test", "vt-*");
        write("versions-test.yaml", v1);
        reload().body("items.find { it.name == 'versions-test' }.status", equalTo("active"));
        String sha1 = PolicyLoader.sha256(v1.getBytes(StandardCharsets.UTF_8));

        String v2 = PolicyFiles.policy("versions-test", "vt-*", "vt2-*");
        write("versions-test.yaml", v2);
        reload();
        String sha2 = PolicyLoader.sha256(v2.getBytes(StandardCharsets.UTF_8));

        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/versions-test").then().statusCode(200)
                .body("status", equalTo("active"))
                .body("file", equalTo("versions-test.yaml"))
                .body("sha256", equalTo(sha2))
                .body("selector.models", equalTo(List.of("vt-*", "vt2-*")))
                .body("document.spec.variants[1].block_size", equalTo(32))
                .body("loadedAt", startsWith("20"));
        TestTokens.as(Roles.ENGINEER).get("/api/v1/policies/versions-test/versions").then().statusCode(200)
                .body("items.sha256", equalTo(List.of(sha2, sha1)))
                .body("items.inForce", equalTo(List.of(true, false)));
        String text = TestTokens.as(Roles.ENGINEER).get("/api/v1/policies/versions-test/versions/" + sha1)
                .then().statusCode(200)
                .body("inForce", equalTo(false))
                .body("document.metadata.name", equalTo("versions-test"))
                .extract().path("text");
        assertEquals(v1, text, "the old version's text, exactly");
        assertEquals(sha1, PolicyLoader.sha256(text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(policies.select("vt2-model", Map.of()) instanceof PolicySelection.Selected s
                && s.version().sha256().equals(sha2));
    }

    @Test
    void shouldKeepThePreviousVersionInForceAndShowAndAuditTheRefusal() throws IOException {
        String good = PolicyFiles.policy("refusal-test", "rt-*");
        write("refusal-test.yaml", good);
        reload();
        String goodSha = PolicyLoader.sha256(good.getBytes(StandardCharsets.UTF_8));

        write("refusal-test.yaml", good.replace("      block_size: 32", "      block_size: 12"));
        reload();
        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/refusal-test").then().statusCode(200)
                .body("status", equalTo("refused"))
                .body("sha256", equalTo(goodSha))
                .body("errors[0].file", equalTo("refusal-test.yaml"))
                .body("errors[0].line", equalTo(20))
                .body("errors[0].field", equalTo("spec.variants[1].block_size"))
                .body("errors[0].message", containsString("12 is not a power of two"))
                .body("document.spec.variants[1].block_size", equalTo(32));
        assertTrue(policies.select("rt-1", Map.of()) instanceof PolicySelection.Selected s
                && s.version().sha256().equals(goodSha), "the previous version stays in force");
        TestTokens.as(Roles.AUDITOR).queryParam("action", "policy.refused").queryParam("subject", "policy:refusal-test")
                .get("/api/v1/audit/events").then().statusCode(200)
                .body("items.size()", equalTo(1))
                .body("items[0].payload.errors[0]", startsWith("refusal-test.yaml:20:7: spec.variants[1].block_size: "))
                .body("items[0].payload.in_force_sha256", equalTo(goodSha));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/refusal-test/versions").then().statusCode(200)
                .body("items.sha256", equalTo(List.of(goodSha)));
    }

    @Test
    void shouldListARefusedNewFileWithItsLineAndField() throws IOException {
        write("typo-test.yaml", PolicyFiles.withLine("typo-test", 16, "    min_group_sise: 30"));
        reload().body("items.find { it.file == 'typo-test.yaml' }.status", equalTo("refused"))
                .body("items.find { it.file == 'typo-test.yaml' }.sha256", nullValue())
                .body("items.find { it.file == 'typo-test.yaml' }.errors[0].line", equalTo(16))
                .body("items.find { it.file == 'typo-test.yaml' }.errors[0].field", equalTo("spec.evaluation.min_group_sise"));
    }

    @Test
    void shouldShowAConflictOnBothPolicies() throws IOException {
        write("conflict-a.yaml", PolicyFiles.policy("conflict-a", "shared-*"));
        write("conflict-b.yaml", PolicyFiles.policy("conflict-b", "shared-model"));
        reload().body("items.find { it.name == 'conflict-a' }.status", equalTo("conflict"))
                .body("items.find { it.name == 'conflict-a' }.conflictsWith", equalTo(List.of("conflict-b")))
                .body("items.find { it.name == 'conflict-b' }.status", equalTo("conflict"))
                .body("items.find { it.name == 'conflict-b' }.conflictsWith", equalTo(List.of("conflict-a")))
                .body("items.find { it.name == 'conflict-b' }.errors[0].message", containsString("'conflict-a' and 'conflict-b'"));
        PolicySelection.Conflict c = assertInstanceOf(PolicySelection.Conflict.class, policies.select("shared-model", Map.of()));
        assertEquals(List.of("conflict-a", "conflict-b"), c.policies());
        TestTokens.as(Roles.AUDITOR).queryParam("action", "policy.conflict").get("/api/v1/audit/events").then()
                .statusCode(200).body("items.subject", hasItem("policy:conflict-a+conflict-b"));
    }

    @Test
    void shouldPickUpANewFileOnTheScheduledScanWithoutBeingAsked() throws IOException, InterruptedException {
        String text = PolicyFiles.policy("scheduled-test", "st-*");
        write("scheduled-test.yaml", text);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(policies.select("st-1", Map.of()) instanceof PolicySelection.Selected)) {
            assertTrue(System.nanoTime() < deadline, "the periodic scan did not load scheduled-test.yaml within 30 s");
            Thread.sleep(50); // polling a condition with a deadline, not waiting for a guessed duration
        }
        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/scheduled-test/versions").then().statusCode(200)
                .body("items.sha256", equalTo(List.of(PolicyLoader.sha256(text.getBytes(StandardCharsets.UTF_8)))));
    }

    @Test
    void shouldPublishPolicyMetrics() throws IOException {
        write("metrics-test.yaml", PolicyFiles.policy("metrics-test", "mt-*"));
        reload();
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("quantgate_policy_files{status=\"active\"}")), metrics);
        assertTrue(metrics.contains("quantgate_policy_events_total{event=\"activated\"}"), "activation counted");
    }

    @Test
    void shouldAnswerProblemsForUnknownPoliciesAndVersions() {
        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/no-such-policy").then().statusCode(404)
                .contentType("application/problem+json")
                .body("code", equalTo("POLICY_NOT_FOUND"))
                .body("detail", containsString("no-such-policy"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/no-such-policy/versions").then().statusCode(404)
                .body("code", equalTo("POLICY_NOT_FOUND"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/no-such-policy/versions/" + "0".repeat(64)).then()
                .statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("POLICY_VERSION_NOT_FOUND"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/Not_A_Name").then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_FAILED"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/default/versions/not-a-hash").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("detail", startsWith("sha256: must match"));
    }
}
