package dev.quantgate.jobs;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import dev.quantgate.worker.WorkerInfo;
import dev.quantgate.worker.WorkerWire;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

/** The jobs and worker APIs' shapes, roles and refusals of bad input. */
@QuarkusTest
@TestProfile(JobsTestProfile.class)
class JobsApiTest {

    @Test
    void shouldLetAnAuditorReadJobsButNotPlanRetryOrLease() {
        JobRows.finishAll();
        String model = Pipeline.newModel();
        Pipeline.registered(model, 1, "webhook:" + TestTokens.shortId());
        long id = Pipeline.jobs(model).get(0).id;

        TestTokens.as(Roles.AUDITOR).queryParam("model", model).queryParam("limit", 2).get("/api/v1/jobs").then()
                .statusCode(200).body("items", hasSize(2)).body("next", notNullValue())
                .body("items[0].id", equalTo((int) id)).body("items[0].href", equalTo("/api/v1/jobs/" + id));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/" + id).then().statusCode(200)
                .body("model", equalTo(model)).body("version", equalTo("1")).body("scheme", equalTo("int8-dynamic"))
                .body("requirement", equalTo("cpu")).body("policy", equalTo("jobs-test"))
                .body("state", equalTo("preparing")).body("maxAttempts", equalTo(2)).body("errors", hasSize(0));
        TestTokens.as(Roles.AUDITOR).contentType(ContentType.JSON).body(Map.of("model", model, "version", "1"))
                .post("/api/v1/jobs/plan").then().statusCode(403).contentType("application/problem+json");
        TestTokens.as(Roles.AUDITOR).post("/api/v1/jobs/" + id + "/retry").then().statusCode(403);
        TestTokens.as(Roles.ENGINEER).post("/api/v1/jobs/" + id + "/retry").then().statusCode(403);
        TestTokens.as(Roles.AUDITOR).contentType(ContentType.JSON)
                .body(WorkerWire.write(new WorkerInfo("w", "cpu", Map.of()))).post("/api/v1/worker/lease")
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        TestTokens.as(Roles.WORKER).get("/api/v1/jobs").then().statusCode(403);
        RestAssured.given().get("/api/v1/jobs").then().statusCode(401);
        TestTokens.as(Roles.ADMIN).post("/api/v1/jobs/" + id + "/retry").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("JOB_NOT_RETRYABLE"))
                .body("detail", containsString("preparing"));
    }

    @Test
    void shouldRefuseBadInputNamingTheField() {
        TestTokens.as(Roles.AUDITOR).queryParam("state", "bogus").get("/api/v1/jobs").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("state"));
        TestTokens.as(Roles.AUDITOR).queryParam("limit", "abc").get("/api/v1/jobs").then().statusCode(400)
                .body("errors.field", hasItem("limit"));
        TestTokens.as(Roles.AUDITOR).queryParam("model", "a\u0000b").get("/api/v1/jobs").then().statusCode(400)
                .body("errors.field", hasItem("model"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/abc").then().statusCode(400).body("errors.field", hasItem("id"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/jobs/999999999").then().statusCode(404)
                .body("code", equalTo("JOB_NOT_FOUND"));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON).body("{\"id\":\"w\",\"kind\":\"tpu\"}")
                .post("/api/v1/worker/lease").then().statusCode(400).body("detail", containsString("kind"));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON).body("{not json")
                .post("/api/v1/worker/lease").then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON)
                .body("{\"lease_token\":\"t\",\"stage\":\"QUANTIZING\",\"percent\":140}")
                .post("/api/v1/worker/jobs/1/heartbeat").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("percent"));
        TestTokens.as(Roles.WORKER).contentType(ContentType.JSON).body("{\"lease_token\":\"t\"}")
                .post("/api/v1/worker/jobs/1/report").then().statusCode(400).body("detail", containsString("outcome"));
    }

    @Test
    void shouldExposeTheQueueDepthThatKedaScalesOn() {
        RestAssured.get("/q/metrics").then().statusCode(200)
                .body(containsString("quantgate_jobs_queued{requirement=\"cpu\"}"))
                .body(containsString("quantgate_jobs_queued{requirement=\"gpu\"}"))
                .body(containsString("quantgate_jobs{state=\"parked\"}"));
    }
}
