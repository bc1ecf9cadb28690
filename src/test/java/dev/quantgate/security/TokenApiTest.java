package dev.quantgate.security;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;

@QuarkusTest
class TokenApiTest {

    private static final String TOKENS = "/api/v1/admin/tokens";

    @Test
    void shouldAuthenticateTheBootstrapAdminToken() {
        RestAssured.given().header(TestTokens.bearer(TestTokens.BOOTSTRAP_ADMIN)).get("/api/v1/auth/whoami")
                .then().statusCode(200)
                .body("name", equalTo(TokenAuthenticator.BOOTSTRAP_ADMIN))
                .body("roles", containsInAnyOrder("admin"));
    }

    @Test
    void shouldShowTheSecretOnceAndAuthenticateWithIt() {
        String name = "ci-" + TestTokens.shortId();
        Response created = create(name, "[\"engineer\",\"auditor\"]");
        created.then().statusCode(201)
                .header("Location", containsString("/api/v1/admin/tokens/"))
                .body("name", equalTo(name))
                .body("roles", containsInAnyOrder("auditor", "engineer"))
                .body("token", startsWith("qg_"));
        String secret = created.path("token");

        RestAssured.given().header(TestTokens.bearer(secret)).get("/api/v1/auth/whoami")
                .then().statusCode(200).body("name", equalTo(name)).body("roles", containsInAnyOrder("auditor", "engineer"));
    }

    @Test
    void shouldNeverListTheSecretOrItsHash() {
        String name = "listed-" + TestTokens.shortId();
        String secret = create(name, "[\"worker\"]").path("token");

        Response list = TestTokens.as(Roles.AUDITOR).queryParam("limit", 500).get(TOKENS);
        list.then().statusCode(200)
                .body("items.name", hasItem(name))
                .body("items[0]", not(org.hamcrest.Matchers.hasKey("token")))
                .body("items[0]", not(org.hamcrest.Matchers.hasKey("tokenHash")));
        assertFalse(list.asString().contains(secret));
        assertFalse(list.asString().contains(sha256(secret)));
    }

    @Test
    void shouldStopAuthenticatingARevokedTokenAtOnce() {
        Response created = create("revoked-" + TestTokens.shortId(), "[\"engineer\"]");
        String secret = created.path("token");
        String id = created.path("id");
        RestAssured.given().header(TestTokens.bearer(secret)).get("/api/v1/auth/whoami").then().statusCode(200);

        TestTokens.as(Roles.ADMIN).delete(TOKENS + "/" + id)
                .then().statusCode(200).body("revokedAt", not(nullValue())).body("revokedBy", startsWith("test-admin-"));

        RestAssured.given().header(TestTokens.bearer(secret)).get("/api/v1/auth/whoami")
                .then().statusCode(401).contentType("application/problem+json").body("code", equalTo("UNAUTHENTICATED"));
        TestTokens.as(Roles.ADMIN).get(TOKENS + "?limit=500").then().body("items.id", not(hasItem(id)));
        TestTokens.as(Roles.ADMIN).get(TOKENS + "?limit=500&includeRevoked=true").then().body("items.id", hasItem(id));
    }

    @Test
    void shouldRefuseASecondLiveTokenWithTheSameNameAndAuditBothOutcomes() {
        String name = "twice-" + TestTokens.shortId();
        create(name, "[\"worker\"]").then().statusCode(201);
        create(name, "[\"worker\"]").then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("TOKEN_NAME_TAKEN"))
                .body("type", equalTo("https://quantgate.dev/problems/token-name-taken"))
                .body("title", not(nullValue()))
                .body("instance", equalTo(TOKENS))
                .body("detail", containsString(name));

        TestTokens.as(Roles.AUDITOR).queryParam("subject", "token:" + name).get("/api/v1/audit/events")
                .then().statusCode(200)
                .body("items", hasSize(2))
                .body("items[0].action", equalTo("token.create"))
                .body("items[0].actor", startsWith("test-admin-"))
                .body("items[0].payload.outcome", equalTo("success"))
                .body("items[1].payload.outcome", equalTo("failure"))
                .body("items[1].payload.error", equalTo("TOKEN_NAME_TAKEN"));
    }

    @Test
    void shouldNameTheFieldWhenATokenRequestFailsValidation() {
        create("bad-roles-" + TestTokens.shortId(), "[\"root\"]").then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("errors[0].field", equalTo("roles"))
                .body("detail", containsString("roles"));
        TestTokens.as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"roles\":[\"worker\"]}").post(TOKENS)
                .then().statusCode(400).body("code", equalTo("VALIDATION_FAILED")).body("errors.field", hasItem("name"));
    }

    @Test
    void shouldAnswer400ForABodyThatIsNotJson() {
        TestTokens.as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"name\": ").post(TOKENS)
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("MALFORMED_JSON"))
                .body("detail", not(containsString("com.fasterxml")));
        TestTokens.as(Roles.ADMIN).contentType(ContentType.JSON).body("{\"name\":\"x\",\"roles\":\"admin\"}").post(TOKENS)
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("MALFORMED_JSON"))
                .body("detail", not(containsString("java.")));
    }

    @Test
    void shouldAnswer404ForRevokingAnUnknownToken() {
        TestTokens.as(Roles.ADMIN).delete(TOKENS + "/00000000-0000-0000-0000-000000000000")
                .then().statusCode(404).contentType("application/problem+json").body("code", equalTo("TOKEN_NOT_FOUND"));
    }

    private static Response create(String name, String rolesJson) {
        return TestTokens.as(Roles.ADMIN).contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\",\"roles\":" + rolesJson + "}")
                .post(TOKENS);
    }

    private static String sha256(String secret) {
        return TokenHashing.sha256Hex(secret);
    }
}
