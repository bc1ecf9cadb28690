package dev.quantgate.api;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

@QuarkusTest
class ProblemShapeTest {

    @Test
    void shouldAnswerAnUnknownPathWithProblem404() {
        TestTokens.as(Roles.ADMIN).get("/api/v1/no-such-thing")
                .then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("NOT_FOUND"))
                .body("status", equalTo(404))
                .body("type", equalTo("https://quantgate.dev/problems/not-found"))
                .body("instance", equalTo("/api/v1/no-such-thing"));
    }

    @Test
    void shouldAnswerAnUnknownPathOutsideTheApiWithProblem404() {
        RestAssured.given().get("/no-such-page")
                .then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void shouldAnswerAnUnsupportedMethodWithProblem405() {
        TestTokens.as(Roles.ADMIN).put("/api/v1/audit/verify")
                .then().statusCode(405).contentType("application/problem+json")
                .body("code", equalTo("METHOD_NOT_ALLOWED"))
                .body("detail", containsString("PUT"));
    }

    @Test
    void shouldAnswerAnUnsupportedContentTypeWithProblem415() {
        TestTokens.as(Roles.ADMIN).contentType(ContentType.TEXT).body("name=x").post("/api/v1/admin/tokens")
                .then().statusCode(415).contentType("application/problem+json")
                .body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
    }

    @Test
    void shouldHideUnexpectedErrorsBehindAReference() {
        RestAssured.given().get("/test/problem-probe/boom")
                .then().statusCode(500).contentType("application/problem+json")
                .body("code", equalTo("INTERNAL_ERROR"))
                .body("detail", containsString("reference"))
                .body(not(containsString("jdbc:secret")))
                .body(not(containsString("IllegalStateException")))
                .body(not(containsString("at dev.quantgate")));
    }

    @Test
    void shouldRejectALimitBelowOneNamingTheParameter() {
        TestTokens.as(Roles.AUDITOR).queryParam("limit", 0).get("/api/v1/audit/events")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("errors[0].field", equalTo("limit"));
    }
}
