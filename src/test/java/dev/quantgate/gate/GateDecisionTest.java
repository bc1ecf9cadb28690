package dev.quantgate.gate;

import dev.quantgate.api.Roles;
import dev.quantgate.jobs.JobsTestProfile;
import dev.quantgate.testing.TestDatabase;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(JobsTestProfile.class)
class GateDecisionTest {

    private static final String ONE_ADMIN = "{required: 1, roles: [admin], not_requester: true}";

    private final List<String> models = new ArrayList<>();

    @AfterEach
    void everyDecisionReplays() {
        GateApi.assertEveryDecisionReplays(models);
    }

    private String model(Integer holder, String... rules) {
        String model = GateFixtures.model();
        models.add(model);
        GateFixtures.mirror(model, holder);
        if (rules.length > 0) {
            GateFixtures.writePolicy(model, ONE_ADMIN, rules);
        }
        return model;
    }

    @Test
    void shouldAllowAVariantWhoseEvidencePassesAndStoreTheDecision() {
        String model = model(null, GateFixtures.PASSING);
        String evidence = GateFixtures.evidence(model, "a");

        Response r = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion");

        r.then().statusCode(201).body("state", equalTo("promoting")).body("decision.outcome", equalTo("allow"))
                .body("decision.policyName", equalTo(model)).body("decision.evidenceSha256s", equalTo(List.of(evidence)))
                .body("decision.target", equalTo("alias:champion")).body("decision.results[0].rule", equalTo("accuracy-drop"));
        String id = r.jsonPath().getString("decision.id");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/decisions/" + id).then().statusCode(200)
                .body("outcome", equalTo("allow")).body("judgementSha256", equalTo(r.jsonPath().getString("decision.judgementSha256")))
                .body("judgement.candidate.evidence_sha256", equalTo(evidence));
        TestTokens.as(Roles.AUDITOR).queryParam("subject", "decision:" + id).get("/api/v1/audit/events").then()
                .statusCode(200).body("items.action", hasItem("gate.decision"))
                .body("items[0].payload.decision_id", equalTo(id));
        TestTokens.as(Roles.AUDITOR).queryParam("subject", "promotion:" + r.jsonPath().getString("id"))
                .get("/api/v1/audit/events").then().body("items[0].action", equalTo("gate.promotion.requested"))
                .body("items[0].payload.decision_id", equalTo(id));
        io.restassured.RestAssured.get("/q/metrics").then().body(containsString(
                "quantgate_gate_decisions_total{outcome=\"allow\",policy=\"" + model + "\"}"));
    }

    @Test
    void shouldDenyNamingTheFailingRule() {
        String model = model(null, GateFixtures.PASSING, GateFixtures.FAILING);
        GateFixtures.evidence(model, "a");

        GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").then().statusCode(201)
                .body("state", equalTo("denied")).body("decision.outcome", equalTo("deny"))
                .body("decision.reasons.rule", hasItem("accuracy-floor"))
                .body("decision.reasons.code", hasItem("rule_failed"));
    }

    @Test
    void shouldDenyAVersionWithoutEvidence() {
        String model = model(null, GateFixtures.PASSING);

        GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").then().statusCode(201)
                .body("state", equalTo("denied")).body("decision.reasons[0].code", equalTo("evidence_missing"))
                .body("decision.evidenceSha256s", hasSize(0));
    }

    @Test
    void shouldFailClosedWhenNoPolicySelectsTheModel() {
        String model = model(null);
        GateFixtures.evidence(model, "a");

        GateApi.promote(TestTokens.as(Roles.ADMIN), model, "champion").then().statusCode(201)
                .body("state", equalTo("denied")).body("decision.reasons[0].code", equalTo("no_policy"))
                .body("decision.policyName", equalTo(null));
    }

    @Test
    void shouldNeedApprovalWhenAGroupIsTooSmallToJudge() {
        String model = model(null, GateFixtures.SMALL_GROUP);
        GateFixtures.evidence(model, "a");

        GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").then().statusCode(201)
                .body("state", equalTo("waiting")).body("decision.outcome", equalTo("needs_approval"))
                .body("decision.reasons.code", hasItem("small_groups"));
    }

    @Test
    void shouldRefuseToChangeOrDeleteADecision() throws SQLException {
        String model = model(null, GateFixtures.PASSING);
        String id = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").jsonPath().getString("decision.id");

        try (Connection c = TestDatabase.app()) {
            SQLException changed = assertThrows(SQLException.class,
                    () -> run(c, "UPDATE gate_decision SET outcome = 'allow' WHERE id = ?", id));
            assertTrue(changed.getMessage().contains("immutable"), changed.getMessage());
            assertThrows(SQLException.class, () -> run(c, "DELETE FROM gate_decision WHERE id = ?", id));
        }
        TestTokens.as(Roles.AUDITOR).get("/api/v1/decisions/" + id).then().body("outcome", equalTo("deny"));
    }

    @Test
    void shouldListDecisionsNewestFirstFilteredAndPaged() {
        String model = model(null, GateFixtures.PASSING);
        String first = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").jsonPath().getString("decision.id");
        GateFixtures.evidence(model, "a");
        String second = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").jsonPath().getString("decision.id");

        Response page = TestTokens.as(Roles.AUDITOR).queryParam("model", model).queryParam("limit", 1).get("/api/v1/decisions");
        page.then().statusCode(200).body("items.id", equalTo(List.of(second))).body("next", notNullValue());
        TestTokens.as(Roles.AUDITOR).queryParam("model", model).queryParam("after", page.jsonPath().getString("next"))
                .get("/api/v1/decisions").then().body("items.id", equalTo(List.of(first))).body("next", equalTo(null));
        TestTokens.as(Roles.ENGINEER).queryParam("model", model).queryParam("outcome", "allow")
                .queryParam("target", "alias:champion").get("/api/v1/decisions").then().body("items.id", equalTo(List.of(second)));
        TestTokens.as(Roles.ENGINEER).queryParam("model", model).queryParam("to", "2000-01-01T00:00:00Z")
                .get("/api/v1/decisions").then().body("items", hasSize(0));
        TestTokens.as(Roles.ENGINEER).queryParam("from", "yesterday").get("/api/v1/decisions").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("from"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/decisions/" + UUID.randomUUID()).then().statusCode(404)
                .body("code", equalTo("DECISION_NOT_FOUND"));
    }

    @Test
    void shouldDryRunUnderAPolicyTextWithoutStoringIt() {
        String model = model(null, GateFixtures.PASSING);
        GateFixtures.evidence(model, "a");
        String stricter = GateFixtures.policyText(model, ONE_ADMIN, GateFixtures.PASSING, GateFixtures.FAILING);

        evaluate(Roles.AUDITOR, model, null).then().statusCode(200).body("outcome", equalTo("allow"))
                .body("id", equalTo(null));
        evaluate(Roles.ENGINEER, model, stricter).then().statusCode(200).body("outcome", equalTo("deny"))
                .body("reasons.rule", hasItem("accuracy-floor"));
        evaluate(Roles.ENGINEER, model, stricter.replace("value: {min: 0.99}", "value: {minimum: 0.99}")).then()
                .statusCode(400).contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"))
                .body("detail", containsString("policy_text:")).body("detail", containsString("rules"));
        TestTokens.as(Roles.AUDITOR).queryParam("model", model).get("/api/v1/decisions").then().body("items", hasSize(0));
    }

    @Test
    void shouldListProtectedAliasHoldersThePolicyNoLongerAllows() {
        String denied = model(2, GateFixtures.PASSING, GateFixtures.FAILING);
        GateFixtures.evidence(denied, "a");
        String allowed = model(2, GateFixtures.PASSING);
        GateFixtures.evidence(allowed, "a");

        TestTokens.as(Roles.AUDITOR).get("/api/v1/policies/" + denied + "/impact").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].model", equalTo(denied)).body("items[0].alias", equalTo("champion"))
                .body("items[0].version", equalTo("2")).body("items[0].outcome", equalTo("deny"))
                .body("items[0].reasons.rule", hasItem("accuracy-floor"));
        TestTokens.as(Roles.ENGINEER).get("/api/v1/policies/" + allowed + "/impact").then().statusCode(200)
                .body("items", hasSize(0));
        TestTokens.as(Roles.ENGINEER).get("/api/v1/policies/no-such-policy/impact").then().statusCode(404)
                .body("code", equalTo("POLICY_NOT_FOUND"));
    }

    @Test
    void shouldLetOnlyAuditorsAndAdminsReplay() {
        String model = model(null, GateFixtures.PASSING);
        String id = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").jsonPath().getString("decision.id");

        TestTokens.as(Roles.ENGINEER).post("/api/v1/decisions/" + id + "/replay").then().statusCode(403);
        TestTokens.as(Roles.ADMIN).post("/api/v1/decisions/" + id + "/replay").then().statusCode(200)
                .body("matches", equalTo(true));
        GateApi.promote(TestTokens.as(Roles.AUDITOR), model, "champion").then().statusCode(403);
        assertEquals(1, GateApi.assertEveryDecisionReplays(List.of(model)));
    }

    private static Response evaluate(String role, String model, String policyText) {
        StringBuilder body = new StringBuilder("{\"model\":\"" + model + "\",\"version\":\"2\",\"alias\":\"champion\"");
        if (policyText != null) {
            body.append(",\"policy_text\":").append(com.fasterxml.jackson.databind.node.TextNode.valueOf(policyText));
        }
        return TestTokens.as(role).contentType(ContentType.JSON).body(body.append('}').toString()).post("/api/v1/gate/evaluate");
    }

    private static void run(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, UUID.fromString(id));
            s.executeUpdate();
        }
    }
}
