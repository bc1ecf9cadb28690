package dev.quantgate.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
class OpenApiTest {

    @Test
    void shouldDescribeTheApiAndItsBearerSchemeWithoutAToken() {
        RestAssured.given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200)
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("paths.'/api/v1/audit/verify'.get.security[0].bearer", notNullValue())
                .body("paths.'/api/v1/admin/tokens'.post", notNullValue());
    }
}
