package dev.quantgate.testing;

import dev.quantgate.security.TokenService;
import dev.quantgate.security.dto.CreateTokenRequest;
import io.quarkus.arc.Arc;
import io.restassured.RestAssured;
import io.restassured.http.Header;
import io.restassured.specification.RequestSpecification;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API tokens for {@code @QuarkusTest}s. {@code TestTokens.as(Roles.AUDITOR).get("/api/v1/...")}
 * sends a request with a bearer token carrying that role; tokens are created once per role (per
 * application start) through the real token service, so they authenticate exactly as in production.
 */
public final class TestTokens {

    /** The bootstrap admin token configured for the test profile ({@code %test.quantgate.security.admin-token}). */
    public static final String BOOTSTRAP_ADMIN = "test-bootstrap-admin-token";
    /** A token that no one issued: requests carrying it must answer 401. */
    public static final String UNKNOWN = "qg_this-token-was-never-issued";

    private static final Map<String, String> BY_ROLE = new ConcurrentHashMap<>();
    private static volatile Object owner;

    private TestTokens() {
    }

    /** A token (the secret) with exactly this role, created on first use. */
    public static String of(String role) {
        Object container = Arc.container();
        if (owner != container) {
            synchronized (BY_ROLE) {
                if (owner != container) {
                    BY_ROLE.clear();
                    owner = container;
                }
            }
        }
        return BY_ROLE.computeIfAbsent(role, r -> create("test-" + r + "-" + shortId(), r));
    }

    /** A fresh token with these roles and a name that starts with {@code name}. */
    public static String create(String name, String... roles) {
        TokenService service = Arc.container().instance(TokenService.class).get();
        return service.create(new CreateTokenRequest(name, Set.of(roles)), "tests").token();
    }

    /** The {@code Authorization} header for a token with this role. */
    public static Header header(String role) {
        return bearer(of(role));
    }

    public static Header bearer(String secret) {
        return new Header("Authorization", "Bearer " + secret);
    }

    /** A RestAssured request authenticated with a token carrying this role. */
    public static RequestSpecification as(String role) {
        return RestAssured.given().header(header(role));
    }

    public static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
