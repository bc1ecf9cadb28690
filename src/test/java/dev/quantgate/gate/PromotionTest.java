package dev.quantgate.gate;

import dev.quantgate.api.Roles;
import dev.quantgate.jobs.JobsTestProfile;
import dev.quantgate.mlflow.outbox.MlflowOutboxEntity;
import dev.quantgate.mlflow.outbox.OutboxDispatcher;
import dev.quantgate.testing.Await;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.MutableClock;
import dev.quantgate.testing.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@TestProfile(JobsTestProfile.class)
class PromotionTest {

    private static final String TWO_APPROVERS = "{required: 2, roles: [engineer, admin], not_requester: true}";

    @Inject
    OutboxDispatcher dispatcher;

    @Inject
    MutableClock clock;

    private final List<String> models = new ArrayList<>();

    @AfterEach
    void everyDecisionReplays() {
        GateApi.assertEveryDecisionReplays(models);
    }

    private String model(String approvals, String rule) {
        String model = GateFixtures.model();
        models.add(model);
        FakeMlflow.get().seedFromFixtures(model);
        GateFixtures.mirror(model, null);
        GateFixtures.writePolicy(model, approvals, rule);
        GateFixtures.evidence(model, "a");
        return model;
    }

    private static RequestSpecification person(String name, String role) {
        return io.restassured.RestAssured.given().header(TestTokens.bearer(TestTokens.create(name + "-" + TestTokens.shortId(), role)));
    }

    @Test
    void shouldSetTheAliasThroughTheOutboxAndBePromotedWhenMlflowConfirms() {
        String model = model(TWO_APPROVERS, GateFixtures.PASSING);

        Response r = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion");
        r.then().statusCode(201).header("Location", containsString("/api/v1/promotions/")).body("state", equalTo("promoting"))
                .body("outboxId", notNullValue()).body("confirmedAt", equalTo(null));
        String id = r.jsonPath().getString("id");
        assertEquals(List.of("set-alias"), writes(model));

        dispatcher.dispatchDue();
        Await.until(() -> "promoted".equals(state(id)), Duration.ofSeconds(10), "the promotion confirmed");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/promotions/" + id).then().body("confirmedAt", notNullValue());
        assertEquals(2, FakeMlflow.get().alias(model, "champion"));
        TestTokens.as(Roles.AUDITOR).queryParam("state", "promoted").queryParam("limit", 500).get("/api/v1/promotions")
                .then().statusCode(200).body("items.id", hasItem(id));
    }

    @Test
    void shouldAnswerARequestWithWhatReadingItBackAnswers() {
        for (String rule : List.of(GateFixtures.PASSING, GateFixtures.SMALL_GROUP)) {
            String model = model(TWO_APPROVERS, rule);
            Response created = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion");
            created.then().statusCode(201);
            String id = created.jsonPath().getString("id");
            Response read = TestTokens.as(Roles.AUDITOR).get("/api/v1/promotions/" + id);
            read.then().statusCode(200);
            java.util.Map<String, Object> answered = created.jsonPath().getMap("$");
            assertEquals(read.jsonPath().getMap("$"), answered, "the answer to the request is the stored request");
            assertEquals(GateFixtures.PASSING.equals(rule) ? "promoting" : "waiting", answered.get("state"));
            assertEquals(List.of(), answered.get("approvals"));
        }
    }

    @Test
    void shouldTransitionALegacyStageThroughTheOutbox() {
        String model = model(TWO_APPROVERS, GateFixtures.PASSING);

        TestTokens.as(Roles.ADMIN).contentType(io.restassured.http.ContentType.JSON)
                .body("{\"model\":\"" + model + "\",\"version\":\"2\",\"stage\":\"Production\",\"reason\":\"go\"}")
                .post("/api/v1/promotions").then().statusCode(201).body("state", equalTo("promoting"))
                .body("target", equalTo("stage:Production")).body("decision.outcome", equalTo("allow"));
        assertEquals(List.of("transition-stage"), writes(model));
        TestTokens.as(Roles.ADMIN).contentType(io.restassured.http.ContentType.JSON)
                .body("{\"model\":\"" + model + "\",\"version\":\"2\",\"stage\":\"Production\",\"alias\":\"champion\","
                        + "\"reason\":\"go\"}")
                .post("/api/v1/promotions").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("exactly one of alias or stage"));
    }

    @Test
    void shouldCountOnlyOtherApproversOnceEachAndPromoteWhenEnoughAreIn() {
        String model = model(TWO_APPROVERS, GateFixtures.SMALL_GROUP);
        String requesterSecret = TestTokens.create("requester-" + TestTokens.shortId(), Roles.ENGINEER);
        RequestSpecification requester = io.restassured.RestAssured.given().header(TestTokens.bearer(requesterSecret));
        String id = GateApi.promote(requester, model, "champion").then().statusCode(201).body("state", equalTo("waiting"))
                .extract().jsonPath().getString("id");
        String anna = TestTokens.create("anna-" + TestTokens.shortId(), Roles.ENGINEER);

        GateApi.approve(io.restassured.RestAssured.given().header(TestTokens.bearer(requesterSecret)), id, "approve").then()
                .statusCode(200).body("state", equalTo("waiting")).body("approvals[0].counted", equalTo(false))
                .body("approvals[0].notCounted", equalTo("requester"));
        GateApi.approve(io.restassured.RestAssured.given().header(TestTokens.bearer(anna)), id, "approve").then()
                .statusCode(200).body("state", equalTo("waiting")).body("approvals[1].counted", equalTo(true));
        GateApi.approve(io.restassured.RestAssured.given().header(TestTokens.bearer(anna)), id, "approve").then()
                .statusCode(200).body("state", equalTo("waiting")).body("approvals[2].notCounted", equalTo("already_counted"));
        GateApi.approve(TestTokens.as(Roles.AUDITOR), id, "approve").then().statusCode(403);
        GateApi.approve(person("bob", Roles.ADMIN), id, "approve").then().statusCode(200)
                .body("state", equalTo("promoting")).body("decision.outcome", equalTo("needs_approval"))
                .body("decision.approvals", hasSize(2)).body("outboxId", notNullValue());
        assertEquals(List.of("set-alias"), writes(model));
        GateApi.approve(person("carl", Roles.ADMIN), id, "approve").then().statusCode(409)
                .body("code", equalTo("PROMOTION_CLOSED"));
    }

    @Test
    void shouldRefuseApproversOutsideThePolicysRoles() {
        String model = model("{required: 1, roles: [admin], not_requester: true}", GateFixtures.SMALL_GROUP);
        String id = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").jsonPath().getString("id");

        GateApi.approve(person("erin", Roles.ENGINEER), id, "approve").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("FORBIDDEN"))
                .body("detail", containsString("admin"));
        GateApi.approve(person("fay", Roles.ADMIN), id, "approve").then().statusCode(200).body("state", equalTo("promoting"));
    }

    @Test
    void shouldEndARequestOnARejection() {
        String model = model(TWO_APPROVERS, GateFixtures.SMALL_GROUP);
        String id = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").jsonPath().getString("id");

        GateApi.approve(person("gus", Roles.ADMIN), id, "reject").then().statusCode(200).body("state", equalTo("rejected"));
        GateApi.approve(person("hal", Roles.ADMIN), id, "approve").then().statusCode(409).body("code", equalTo("PROMOTION_CLOSED"));
        assertEquals(List.of(), writes(model));
    }

    @Test
    void shouldExpireARequestNobodyApprovedInTime() {
        String model = model(TWO_APPROVERS, GateFixtures.SMALL_GROUP);
        String id = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").jsonPath().getString("id");

        clock.advance(Duration.ofDays(7).plusSeconds(1));

        GateApi.approve(person("ida", Roles.ADMIN), id, "approve").then().statusCode(409)
                .body("code", equalTo("PROMOTION_CLOSED")).body("detail", containsString("expired"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/promotions/" + id).then().body("state", equalTo("expired"));
        QuarkusTransaction.requiringNew().run(() -> io.quarkus.arc.Arc.container().instance(PromotionService.class).get()
                .expireDue());
        TestTokens.as(Roles.AUDITOR).queryParam("state", "expired").queryParam("limit", 500).get("/api/v1/promotions")
                .then().body("items.id", hasItem(id));
    }

    @Test
    void shouldReDecideARequestWhoseEvidenceChangedWhileItWaited() {
        String model = model("{required: 1, roles: [admin], not_requester: true}", GateFixtures.SMALL_GROUP);
        String id = GateApi.promote(TestTokens.as(Roles.ENGINEER), model, "champion").jsonPath().getString("id");
        GateFixtures.evidence(model, "b");

        GateApi.approve(person("jo", Roles.ADMIN), id, "approve").then().statusCode(200).body("state", equalTo("waiting"))
                .body("decision.outcome", equalTo("needs_approval"));
        GateApi.approve(person("kim", Roles.ADMIN), id, "approve").then().statusCode(200).body("state", equalTo("promoting"));
    }

    private static String state(String id) {
        return TestTokens.as(Roles.AUDITOR).get("/api/v1/promotions/" + id).jsonPath().getString("state");
    }

    private static List<String> writes(String model) {
        return QuarkusTransaction.requiringNew().call(() ->
                MlflowOutboxEntity.<MlflowOutboxEntity>list("modelName = ?1 and kind in ('set-alias', 'transition-stage')"
                        + " order by id", model).stream().map(w -> w.kind).toList());
    }
}
