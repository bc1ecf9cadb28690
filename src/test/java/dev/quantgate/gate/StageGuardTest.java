package dev.quantgate.gate;

import dev.quantgate.api.Roles;
import dev.quantgate.jobs.JobsTestProfile;
import dev.quantgate.mlflow.outbox.OutboxDispatcher;
import dev.quantgate.mlflow.poller.RegistryPoller;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Revert of legacy stage transitions made behind QuantGate's back, as the poller sees them (MLflow sends no webhook
 * for a stage transition): the poller runs against the fake MLflow, a user's client transitions a version straight in
 * MLflow's REST API, and what QuantGate writes back through the outbox lands in the fake.
 */
@QuarkusTest
@TestProfile(JobsTestProfile.class)
class StageGuardTest {

    private static final String ONE_ADMIN = "{required: 1, roles: [admin], not_requester: true}";

    @Inject
    RegistryPoller poller;

    @Inject
    OutboxDispatcher dispatcher;

    private final List<String> models = new ArrayList<>();
    private FakeMlflow fake;

    @BeforeEach
    void fake() {
        fake = FakeMlflow.get();
        fake.reset();
    }

    @AfterEach
    void everyDecisionReplays() {
        GateApi.assertEveryDecisionReplays(models);
    }

    /** Versions 1 (in Production) and 2 in MLflow and, after one poll, in the mirror; the policy protects Production. */
    private String model(String rule) {
        String model = GateFixtures.model();
        models.add(model);
        fake.model(model);
        fake.createVersion(model, "run1");
        fake.createVersion(model, "run2");
        fake.transition(model, 1, "Production");
        poller.pollOnce();
        GateFixtures.writePolicy(model, ONE_ADMIN, rule);
        GateFixtures.evidence(model, "a");
        return model;
    }

    @Test
    void shouldTransitionALegacyStageTransitionSeenByThePollerBackAndPutTheArchivedHolderBack() {
        String model = model(GateFixtures.FAILING);
        double revertsBefore = reverts(model);

        directTransition(model, 2, "Production", true);
        assertEquals("Archived", fake.version(model, 1).stage, "archive_existing_versions archived the holder");
        poller.pollOnce();
        dispatchAll();

        assertEquals("None", fake.version(model, 2).stage, "version 2 is back in its previous stage");
        assertEquals("Production", fake.version(model, 1).stage, "the holder archived by the same call is back");
        String tag = fake.version(model, 2).tags.get("quantgate.gate");
        assertTrue(tag != null && tag.matches("reverted:[0-9a-f-]{36}"), "tag: " + tag);
        String decision = tag.substring("reverted:".length());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/decisions/" + decision).then().statusCode(200)
                .body("outcome", equalTo("deny")).body("target", equalTo("stage:Production"))
                .body("version", equalTo("2"));
        TestTokens.as(Roles.AUDITOR).queryParam("subject", "decision:" + decision).get("/api/v1/audit/events").then()
                .statusCode(200).body("items.action", hasItem("gate.reverted"))
                .body("items.action", hasItem("gate.reverted.restored"));
        assertEquals(revertsBefore + 1, reverts(model));

        List<String> writes = GateFixtures.outboxWrites(model);
        poller.pollOnce();
        dispatchAll();
        assertEquals(writes, GateFixtures.outboxWrites(model), "the echoes of QuantGate's own transitions are not reverted again");
        assertEquals("None", fake.version(model, 2).stage);
        assertEquals("Production", fake.version(model, 1).stage);
    }

    @Test
    void shouldLeaveAHolderArchivedAtAnotherTimeAsItIsAndSaySo() throws InterruptedException {
        String model = model(GateFixtures.FAILING);

        directTransition(model, 1, "Archived", false);
        long archivedAt = fake.version(model, 1).lastUpdated;
        while (System.currentTimeMillis() == archivedAt) {
            Thread.onSpinWait(); // the next MLflow call gets a later timestamp
        }
        directTransition(model, 2, "Production", false);
        poller.pollOnce();
        dispatchAll();

        assertEquals("None", fake.version(model, 2).stage);
        assertEquals("Archived", fake.version(model, 1).stage, "a separate archive is not undone");
        String decision = fake.version(model, 2).tags.get("quantgate.gate").substring("reverted:".length());
        TestTokens.as(Roles.AUDITOR).queryParam("subject", "decision:" + decision).get("/api/v1/audit/events").then()
                .statusCode(200).body("items.action", hasItem("gate.reverted.not_restored"))
                .body("items.action", not(hasItem("gate.reverted.restored")));
    }

    @Test
    void shouldLeaveAnAllowedTransitionAlone() {
        String model = model(GateFixtures.PASSING);

        directTransition(model, 2, "Staging", false);
        directTransition(model, 2, "Production", false);
        poller.pollOnce();
        dispatchAll();

        assertEquals(List.of(), GateFixtures.outboxWrites(model));
        assertEquals("Production", fake.version(model, 2).stage);
        TestTokens.as(Roles.AUDITOR).queryParam("model", model).queryParam("target", "stage:Production")
                .get("/api/v1/decisions").then().statusCode(200).body("items.size()", equalTo(1))
                .body("items[0].outcome", equalTo("allow"));
    }

    @Test
    void shouldNotRevertQuantGatesOwnTransitionOfAnApprovedPromotion() {
        // needs approval: only the approved promotion, recognised as QuantGate's own write, keeps it in Production
        String model = model(GateFixtures.SMALL_GROUP);
        String id = TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON)
                .body("{\"model\":\"" + model + "\",\"version\":\"2\",\"stage\":\"Production\",\"reason\":\"better\"}")
                .post("/api/v1/promotions").then().statusCode(201).body("state", equalTo("waiting"))
                .extract().jsonPath().getString("id");
        GateApi.approve(TestTokens.as(Roles.ADMIN), id, "approve").then().statusCode(200)
                .body("state", equalTo("promoting"));
        dispatchAll();
        assertEquals("Production", fake.version(model, 2).stage);

        poller.pollOnce();
        dispatchAll();

        assertEquals(List.of("transition-stage"), GateFixtures.outboxWrites(model).stream().map(w -> w.split(" ")[0]).toList());
        assertEquals("Production", fake.version(model, 2).stage);
        assertEquals(null, fake.version(model, 2).tags.get("quantgate.gate"));
        TestTokens.as(Roles.AUDITOR).queryParam("model", model).queryParam("target", "stage:Production")
                .get("/api/v1/decisions").then().statusCode(200).body("items.size()", equalTo(2))
                .body("items.requester", not(hasItem(AliasGuard.ACTOR)));
    }

    /** What a user's MlflowClient().transition_model_version_stage(...) sends, straight to MLflow. */
    private void directTransition(String model, int version, String stage, boolean archiveExisting) {
        RestAssured.given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + model + "\",\"version\":\"" + version + "\",\"stage\":\"" + stage
                        + "\",\"archive_existing_versions\":" + archiveExisting + "}")
                .post(fake.url() + FakeMlflow.API + "model-versions/transition-stage")
                .then().statusCode(200).body("model_version.current_stage", equalTo(stage));
    }

    private void dispatchAll() {
        for (int i = 0; i < 50 && dispatcher.dispatchDue() > 0; i++) {
            // each round sends the next due batch
        }
    }

    private static double reverts(String model) {
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        String prefix = "quantgate_gate_reverts_total{policy=\"" + model + "\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElse(0);
    }

}
