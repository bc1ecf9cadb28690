package dev.quantgate.security;

import dev.quantgate.api.Roles;
import dev.quantgate.security.dto.CreateTokenRequest;
import dev.quantgate.security.dto.CreatedToken;
import dev.quantgate.testing.TestTokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flood of garbage tokens costs at most one database lookup per distinct well-formed token. */
@QuarkusTest
class TokenLookupCacheTest {

    private static final int FLOOD = 50;

    @Inject
    MeterRegistry meters;

    @Inject
    TokenService tokens;

    @Test
    void shouldLookUpARepeatedUnknownTokenAtMostOnce() {
        String unknown = "qg_" + "A".repeat(20) + TestTokens.shortId() + "B".repeat(15);
        assertEquals(46, unknown.length());
        double before = lookups();

        for (int i = 0; i < FLOOD; i++) {
            RestAssured.given().header(TestTokens.bearer(unknown)).get("/api/v1/auth/whoami")
                    .then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
        }

        assertTrue(lookups() - before <= 1, "lookups for " + FLOOD + " identical unknown tokens: " + (lookups() - before));
    }

    @Test
    void shouldNeverLookUpATokenOfTheWrongShape() {
        double before = lookups();

        for (int i = 0; i < FLOOD; i++) {
            RestAssured.given().header(TestTokens.bearer("garbage-" + i)).get("/api/v1/auth/whoami")
                    .then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
        }

        assertEquals(before, lookups());
    }

    @Test
    void shouldAuthenticateARealTokenAndRefuseItOnceRevoked() {
        CreatedToken created = tokens.create(new CreateTokenRequest("cache-" + TestTokens.shortId(),
                Set.of(Roles.AUDITOR)), "tests");
        String secret = created.token();
        double before = lookups();
        for (int i = 0; i < 10; i++) {
            RestAssured.given().header(TestTokens.bearer(secret)).get("/api/v1/auth/whoami").then().statusCode(200);
        }
        assertTrue(lookups() - before <= 1, "a valid token is cached too");

        TestTokens.as(Roles.ADMIN).delete("/api/v1/admin/tokens/" + created.id()).then().statusCode(200);

        RestAssured.given().header(TestTokens.bearer(secret)).get("/api/v1/auth/whoami").then().statusCode(401);
    }

    private double lookups() {
        return meters.find("quantgate.security.token.lookups").counter().count();
    }
}
