package dev.quantgate.gate;

import dev.quantgate.api.Roles;
import dev.quantgate.jobs.JobsTestProfile;
import dev.quantgate.testing.MutableClock;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
@TestProfile(JobsTestProfile.class)
class WaiverTest {

    private static final String ADMINS = "{required: 1, roles: [admin], not_requester: true}";

    @Inject
    MutableClock clock;

    private final List<String> models = new ArrayList<>();

    @AfterEach
    void everyDecisionReplays() {
        GateApi.assertEveryDecisionReplays(models);
    }

    private String deniedModel() {
        String model = GateFixtures.model();
        models.add(model);
        GateFixtures.mirror(model, null);
        GateFixtures.writePolicy(model, ADMINS, GateFixtures.PASSING, GateFixtures.FAILING);
        GateFixtures.evidence(model, "a");
        return model;
    }

    @Test
    void shouldAllowAWaivedRuleUntilTheWaiverExpires() {
        String model = deniedModel();
        String waiver = waive(Roles.ADMIN, model, "accuracy-floor", clock.instant().plus(Duration.ofDays(2)))
                .then().statusCode(201).body("inForce", equalTo(true)).extract().jsonPath().getString("id");

        GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").then().statusCode(201)
                .body("decision.outcome", equalTo("allow")).body("decision.waivers[0].id", equalTo(waiver))
                .body("decision.results.find { it.rule == 'accuracy-floor' }.status", equalTo("waived"))
                .body("decision.results.find { it.rule == 'accuracy-floor' }.waiver", equalTo(waiver));
        clock.advance(Duration.ofDays(2).plusSeconds(1));
        GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").then().statusCode(201)
                .body("decision.outcome", equalTo("deny")).body("decision.reasons.rule", hasItem("accuracy-floor"));
        TestTokens.as(Roles.AUDITOR).queryParam("model", model).get("/api/v1/waivers").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].inForce", equalTo(false));
    }

    @Test
    void shouldStopApplyingARevokedWaiver() {
        String model = deniedModel();
        String waiver = waive(Roles.ADMIN, model, "accuracy-floor", clock.instant().plus(Duration.ofDays(1)))
                .jsonPath().getString("id");

        TestTokens.as(Roles.AUDITOR).delete("/api/v1/waivers/" + waiver).then().statusCode(403);
        TestTokens.as(Roles.ADMIN).delete("/api/v1/waivers/" + waiver).then().statusCode(200)
                .body("revokedAt", org.hamcrest.Matchers.notNullValue()).body("inForce", equalTo(false));
        TestTokens.as(Roles.ADMIN).delete("/api/v1/waivers/" + waiver).then().statusCode(409);
        GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").then()
                .body("decision.outcome", equalTo("deny"));
    }

    @Test
    void shouldRefuseWaiversBeyondThePolicysLimitsOrRoles() {
        String model = deniedModel();

        waive(Roles.ADMIN, model, "accuracy-floor", clock.instant().plus(Duration.ofDays(31))).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("PT720H"));
        waive(Roles.ADMIN, model, "accuracy-floor", clock.instant().minusSeconds(1)).then().statusCode(400);
        waive(Roles.ADMIN, model, "no-such-rule", clock.instant().plus(Duration.ofDays(1))).then().statusCode(400)
                .body("detail", containsString("no-such-rule"));
        waive(Roles.ENGINEER, model, "accuracy-floor", clock.instant().plus(Duration.ofDays(1))).then().statusCode(403)
                .body("code", equalTo("FORBIDDEN"));
        waive(Roles.AUDITOR, model, "accuracy-floor", clock.instant().plus(Duration.ofDays(1))).then().statusCode(403);
    }

    private static Response waive(String role, String model, String rule, Instant expiresAt) {
        return TestTokens.as(role).contentType(ContentType.JSON).body("{\"model\":\"" + model + "\",\"version\":\"2\","
                + "\"rule\":\"" + rule + "\",\"reason\":\"known issue\",\"expires_at\":\"" + expiresAt + "\"}")
                .post("/api/v1/waivers");
    }
}
