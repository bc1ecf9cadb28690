package dev.quantgate.api;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each bad input from issue 8 replayed through HTTP: the status, a problem+json body naming the
 * problem (the parameter, for parameters), no internals in the answer; and after it the neighbours
 * (a good request to the same endpoint) and the audit trail are intact. Malformed HTTP itself is in
 * {@link MalformedHttpTest}, deliveries in {@code PoisonDeliveryTest}.
 */
@QuarkusTest
class BadInputTableTest {

    /** method, path (raw, already percent-encoded), the good neighbour, status, code, named parameter. */
    static Stream<Arguments> badParameters() {
        return Stream.of(
                row("GET", "/api/v1/registry/models/fraud%00model", "/api/v1/registry/models", 400, "name"),
                row("GET", "/api/v1/registry/models/fraud/versions/1%00", "/api/v1/registry/models", 400, "version"),
                row("GET", "/api/v1/registry/models/fraud/aliases/champ%00ion/history", "/api/v1/registry/models",
                        400, "alias"),
                row("GET", "/api/v1/registry/models/fraud/aliases/champion/history?at=%00", "/api/v1/registry/models",
                        400, "at"),
                row("GET", "/api/v1/mlflow/deliveries/abc%00def", "/api/v1/mlflow/deliveries", 400, "id"),
                row("GET", "/api/v1/mlflow/deliveries?status=%00", "/api/v1/mlflow/deliveries", 400, "status"),
                row("GET", "/api/v1/audit/events?subject=token%00", "/api/v1/audit/events", 400, "subject"),
                row("GET", "/api/v1/audit/events?action=x%00", "/api/v1/audit/events", 400, "action"),
                row("GET", "/api/v1/audit/events?actor=%00", "/api/v1/audit/events", 400, "actor"),
                row("GET", "/api/v1/audit/events?after=1%00", "/api/v1/audit/events", 400, "after"),
                row("GET", "/api/v1/admin/tokens?after=%00", "/api/v1/admin/tokens", 400, "after"),
                row("DELETE", "/api/v1/admin/tokens/%00", "/api/v1/admin/tokens", 400, "id"),
                row("GET", "/api/v1/admin/mlflow/outbox?status=P%00", "/api/v1/admin/mlflow/outbox", 400, "status"),
                row("GET", "/api/v1/registry/models?limit=abc", "/api/v1/registry/models", 400, "limit"),
                row("GET", "/api/v1/registry/models?limit=1.5", "/api/v1/registry/models", 400, "limit"),
                row("GET", "/api/v1/registry/models?limit=1e3", "/api/v1/registry/models", 400, "limit"),
                row("GET", "/api/v1/registry/models?limit=99999999999", "/api/v1/registry/models", 400, "limit"),
                row("GET", "/api/v1/audit/events?limit=abc", "/api/v1/audit/events", 400, "limit"),
                row("GET", "/api/v1/mlflow/deliveries?limit=-", "/api/v1/mlflow/deliveries", 400, "limit"),
                row("GET", "/api/v1/admin/tokens?limit=%20", "/api/v1/admin/tokens", 400, "limit"),
                row("GET", "/api/v1/admin/tokens?includeRevoked=maybe", "/api/v1/admin/tokens", 400, "includeRevoked"),
                row("GET", "/api/v1/admin/tokens?includeRevoked=1", "/api/v1/admin/tokens", 400, "includeRevoked"),
                row("GET", "/api/v1/admin/mlflow/outbox/abc", "/api/v1/admin/mlflow/outbox", 400, "id"),
                row("GET", "/api/v1/admin/mlflow/outbox/1.5", "/api/v1/admin/mlflow/outbox", 400, "id"),
                row("DELETE", "/api/v1/admin/tokens/not-a-uuid", "/api/v1/admin/tokens", 400, "id"));
    }

    private static Arguments row(String method, String path, String neighbour, int status, String parameter) {
        return Arguments.of(method + " " + path, method, path, neighbour, status, parameter);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badParameters")
    void shouldRefuseABadParameterNamingIt(String name, String method, String path, String neighbour, int status,
                                           String parameter) {
        long auditedBefore = auditHead();

        Response response = admin().urlEncodingEnabled(false).request(method, path);

        response.then().statusCode(status).contentType(Problem.MEDIA_TYPE)
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("status", equalTo(status))
                .body("errors.field", hasItem(parameter))
                .body("detail", containsString(parameter))
                .body(not(containsString("Exception")))
                .body(not(containsString("SQL")));
        assertNeighboursIntact(neighbour, auditedBefore);
    }

    @Test
    void shouldRefuseAPostWithoutContentTypeWith415() {
        long auditedBefore = auditHead();

        admin().body("{\"name\":\"no-content-type\",\"roles\":[\"auditor\"]}".getBytes())
                .post("/api/v1/admin/tokens")
                .then().statusCode(415).contentType(Problem.MEDIA_TYPE)
                .body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"))
                .body("detail", containsString("Content-Type"));
        assertNeighboursIntact("/api/v1/admin/tokens", auditedBefore);
    }

    @Test
    void shouldCapTheErrorsListedFor100000InvalidRoles() {
        long auditedBefore = auditHead();
        String roles = IntStream.range(0, 100_000).mapToObj(i -> "\"r" + i + "\"").collect(Collectors.joining(","));

        Response response = admin().contentType("application/json")
                .body("{\"name\":\"amplified\",\"roles\":[" + roles + "]}")
                .post("/api/v1/admin/tokens");

        response.then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("detail", containsString("and 99980 more"));
        List<Object> errors = response.jsonPath().getList("errors");
        assertEquals(ProblemMappers.MAX_LISTED_ERRORS, errors.size());
        assertTrue(response.asString().length() < 10_000, "answer is " + response.asString().length() + " characters");
        assertNeighboursIntact("/api/v1/admin/tokens", auditedBefore);
    }

    @Test
    void shouldRefuseATokenNameWithControlCharacters() {
        admin().contentType("application/json")
                .body("{\"name\":\"evil\\nINFO forged line\\u0000\",\"roles\":[\"auditor\"]}")
                .post("/api/v1/admin/tokens")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("errors.field", hasItem("name"));
        assertNeighboursIntact("/api/v1/admin/tokens", auditHead());
    }

    @Test
    void shouldRefuseADeeplyNestedRestBody() {
        String nested = "[".repeat(50_000) + "]".repeat(50_000);

        // In a field the DTO does not have: Jackson skips it, and the nesting limit stops the skip.
        admin().contentType("application/json").body("{\"extra\":" + nested + ",\"name\":\"deep\",\"roles\":[\"auditor\"]}")
                .post("/api/v1/admin/tokens")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("code", equalTo("MALFORMED_JSON"))
                .body("detail", containsString("nesting"));
        assertNeighboursIntact("/api/v1/admin/tokens", auditHead());
    }

    private static RequestSpecification admin() {
        return RestAssured.given().header(TestTokens.bearer(TestTokens.BOOTSTRAP_ADMIN));
    }

    private static long auditHead() {
        return TestTokens.as(Roles.AUDITOR).get("/api/v1/audit/verify").then().statusCode(200)
                .extract().jsonPath().getLong("headSeq");
    }

    /** The same endpoint still serves a good request, and the audit chain verifies without a break. */
    private static void assertNeighboursIntact(String neighbour, long auditedBefore) {
        admin().get(neighbour).then().statusCode(200);
        Response verify = TestTokens.as(Roles.AUDITOR).get("/api/v1/audit/verify");
        verify.then().statusCode(200).body("intact", equalTo(true));
        assertTrue(verify.jsonPath().getLong("headSeq") >= auditedBefore, verify.asString());
    }
}
