package dev.quantgate.security;

import dev.quantgate.api.Roles;
import dev.quantgate.gate.PromotionService;
import dev.quantgate.gate.WaiverStore;
import dev.quantgate.gate.dto.PromotionRequest;
import dev.quantgate.gate.dto.PromotionView;
import dev.quantgate.jobs.MatrixJobs;
import dev.quantgate.mlflow.webhook.ParkedDeliveries;
import dev.quantgate.policy.PolicyLoader;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
import dev.quantgate.mlflow.outbox.MlflowOutboxEntity;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEventSink;
import dev.quantgate.security.dto.CreateTokenRequest;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every endpoint × every role, no token and an unknown token: a role allowed answers 2xx, any
 * other role 403, no or an unknown token 401, the errors as problem+json.
 *
 * <p><b>Adding an endpoint? Add a row to {@link #ENDPOINTS}</b> with the roles that may call it
 * (and a body or a path that makes the allowed call succeed); endpoints open to anyone (health,
 * metrics, OpenAPI, the signed MLflow webhook) go in {@link #OPEN}.
 * {@link #shouldHaveARowForEveryEndpoint} finds every JAX-RS resource method in the application by
 * reflection and fails for one without a row.
 */
@QuarkusTest
class AuthorizationMatrixTest {

    private static final List<String> ALL_ROLES = List.of(Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER);

    static final List<Endpoint> ENDPOINTS = List.of(
            Endpoint.get("/api/v1/auth/whoami", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER),
            Endpoint.get("/api/v1/audit/events", Roles.ADMIN, Roles.AUDITOR),
            Endpoint.get("/api/v1/audit/verify", Roles.ADMIN, Roles.AUDITOR),
            Endpoint.get("/api/v1/admin/tokens", Roles.ADMIN, Roles.AUDITOR),
            Endpoint.post("/api/v1/admin/tokens",
                    () -> "{\"name\":\"matrix-" + TestTokens.shortId() + "\",\"roles\":[\"auditor\"]}", Roles.ADMIN),
            Endpoint.delete(() -> "/api/v1/admin/tokens/" + newTokenId(), Roles.ADMIN),
            Endpoint.get("/api/v1/mlflow/deliveries", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            new Endpoint("GET", () -> "/api/v1/mlflow/deliveries/" + ParkedDeliveries.insert(), null,
                    Set.of(Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR)),
            new Endpoint("POST", () -> "/api/v1/mlflow/deliveries/" + ParkedDeliveries.insert() + "/retry", null,
                    Set.of(Roles.ADMIN)),
            Endpoint.get("/api/v1/registry/models", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/registry/models/" + mirroredModel(), Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/registry/models/" + mirroredModel() + "/versions",
                    Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/registry/models/" + mirroredModel() + "/versions/1",
                    Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/registry/models/" + mirroredModel() + "/aliases",
                    Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/registry/models/" + mirroredModel() + "/aliases/champion/history",
                    Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get("/api/v1/admin/mlflow/outbox", Roles.ADMIN, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/admin/mlflow/outbox/" + parkedOutboxItem(), Roles.ADMIN, Roles.AUDITOR),
            Endpoint.post(() -> "/api/v1/admin/mlflow/outbox/" + parkedOutboxItem() + "/retry", () -> "", Roles.ADMIN),
            // policies: the shipped policies/default.yaml is loaded in the default test profile
            Endpoint.get("/api/v1/policies", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER),
            Endpoint.get("/api/v1/policies/schema", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER),
            Endpoint.get("/api/v1/policies/default", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER),
            Endpoint.get("/api/v1/policies/default/versions", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER),
            Endpoint.get(() -> "/api/v1/policies/default/versions/" + shippedDefaultPolicySha256(),
                    Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER),
            Endpoint.post("/api/v1/policies/reload", () -> "", Roles.ADMIN),
            // jobs and evidence: rows made straight in the database (no policy selects a model in this profile)
            Endpoint.get("/api/v1/jobs", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/jobs/" + MatrixJobs.failed(), Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            // no policy selects matrix-model: an allowed caller gets the 422 that says so
            new Endpoint("POST", () -> "/api/v1/jobs/plan", () -> "{\"model\":\"" + mirroredModel() + "\",\"version\":\"1\"}",
                    Set.of(Roles.ADMIN, Roles.ENGINEER), 422),
            Endpoint.post(() -> "/api/v1/jobs/" + MatrixJobs.failed() + "/retry", () -> "", Roles.ADMIN),
            Endpoint.post("/api/v1/worker/lease", () -> "{\"id\":\"matrix-worker\",\"kind\":\"cpu\"}",
                    Roles.WORKER, Roles.ADMIN),
            Endpoint.post(() -> "/api/v1/worker/jobs/" + MatrixJobs.leased().id() + "/heartbeat",
                    () -> "{\"lease_token\":\"" + MatrixJobs.lease() + "\"}", Roles.WORKER, Roles.ADMIN),
            Endpoint.post(() -> "/api/v1/worker/jobs/" + MatrixJobs.leased().id() + "/release",
                    () -> "{\"lease_token\":\"" + MatrixJobs.lease() + "\"}", Roles.WORKER, Roles.ADMIN),
            Endpoint.post(() -> "/api/v1/worker/jobs/" + MatrixJobs.leased().id() + "/report",
                    () -> "{\"lease_token\":\"" + MatrixJobs.lease()
                            + "\",\"outcome\":{\"type\":\"failed\",\"code\":\"x\",\"message\":\"y\",\"permanent\":true}}",
                    Roles.WORKER, Roles.ADMIN),
            Endpoint.get(() -> "/api/v1/evidence/" + MatrixJobs.evidence(), Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get("/api/v1/registry/models/matrix-model/versions/1/evidence",
                    Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            // the gate: no policy selects matrix-model, so every decision on it is a deny (fail closed)
            Endpoint.get("/api/v1/decisions", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/decisions/" + matrixPromotion().decision().id(),
                    Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.post(() -> "/api/v1/decisions/" + matrixPromotion().decision().id() + "/replay", () -> "",
                    Roles.ADMIN, Roles.AUDITOR),
            Endpoint.post("/api/v1/gate/evaluate", () -> "{\"model\":\"" + mirroredModel()
                    + "\",\"version\":\"1\",\"alias\":\"champion\"}", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get("/api/v1/policies/default/impact", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.post("/api/v1/promotions", () -> "{\"model\":\"" + mirroredModel()
                    + "\",\"version\":\"1\",\"alias\":\"champion\",\"reason\":\"matrix\"}", Roles.ADMIN, Roles.ENGINEER),
            Endpoint.get("/api/v1/promotions", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            Endpoint.get(() -> "/api/v1/promotions/" + matrixPromotion().id(), Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            // a denied request takes no approvals: an allowed caller gets the 409 that says so
            new Endpoint("POST", () -> "/api/v1/promotions/" + matrixPromotion().id() + "/approvals",
                    () -> "{\"verdict\":\"approve\"}", Set.of(Roles.ADMIN, Roles.ENGINEER), 409),
            new Endpoint("POST", () -> "/api/v1/waivers", () -> "{\"model\":\"" + mirroredModel() + "\",\"version\":\"1\","
                    + "\"rule\":\"r\",\"reason\":\"matrix\",\"expires_at\":\"2099-01-01T00:00:00Z\"}",
                    Set.of(Roles.ADMIN, Roles.ENGINEER), 422),
            Endpoint.get("/api/v1/waivers?model=matrix-model", Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR),
            // without a policy naming approvers, only an admin may revoke
            Endpoint.delete(() -> "/api/v1/waivers/" + matrixWaiver(), Roles.ADMIN)
            // Add rows here: Endpoint.get(path, roles...), Endpoint.post(path, bodySupplier, roles...), ...
    );

    /** Open to anonymous callers: GET answers 200 without any token. */
    static final List<String> OPEN = List.of(
            "/q/health", "/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi", "/q/swagger-ui/");

    /** One endpoint: method, path (a supplier, for paths naming something to create first), body, allowed roles. */
    record Endpoint(String method, Supplier<String> path, Supplier<String> body, Set<String> allowed, int answers) {

        /** An endpoint whose allowed calls succeed (any 2xx). */
        Endpoint(String method, Supplier<String> path, Supplier<String> body, Set<String> allowed) {
            this(method, path, body, allowed, 0);
        }

        static Endpoint get(String path, String... roles) {
            return new Endpoint("GET", () -> path, null, Set.of(roles));
        }

        static Endpoint get(Supplier<String> path, String... roles) {
            return new Endpoint("GET", path, null, Set.of(roles));
        }

        static Endpoint post(String path, Supplier<String> body, String... roles) {
            return new Endpoint("POST", () -> path, body, Set.of(roles));
        }

        static Endpoint post(Supplier<String> path, Supplier<String> body, String... roles) {
            return new Endpoint("POST", path, body, Set.of(roles));
        }

        static Endpoint put(String path, Supplier<String> body, String... roles) {
            return new Endpoint("PUT", () -> path, body, Set.of(roles));
        }

        static Endpoint delete(Supplier<String> path, String... roles) {
            return new Endpoint("DELETE", path, null, Set.of(roles));
        }

        Response call(RequestSpecification request) {
            if (body != null) {
                request = request.contentType(ContentType.JSON).body(body.get());
            }
            return request.request(method, path.get());
        }

        @Override
        public String toString() {
            return method + " " + path.get();
        }
    }

    static Stream<Arguments> endpointsAndRoles() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint e : ENDPOINTS) {
            for (String role : ALL_ROLES) {
                cases.add(Arguments.of(e, role));
            }
        }
        return cases.stream();
    }

    static Stream<Endpoint> endpoints() {
        return ENDPOINTS.stream();
    }

    static Stream<String> openPaths() {
        return OPEN.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("endpointsAndRoles")
    void shouldAllowExactlyTheListedRoles(Endpoint endpoint, String role) {
        Response response = endpoint.call(TestTokens.as(role));
        if (endpoint.allowed().contains(role)) {
            int status = response.statusCode();
            assertTrue(endpoint.answers() == 0 ? status >= 200 && status < 300 : status == endpoint.answers(),
                    endpoint + " as " + role + " should succeed, was " + status + ": " + response.asString());
        } else {
            response.then().statusCode(403).contentType("application/problem+json")
                    .body("code", equalTo("FORBIDDEN"))
                    .body("status", equalTo(403))
                    .body("detail", notNullValue());
        }
    }

    @ParameterizedTest(name = "{0} without a token")
    @MethodSource("endpoints")
    void shouldAnswer401WithoutAToken(Endpoint endpoint) {
        endpoint.call(RestAssured.given()).then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer")
                .body("code", equalTo("UNAUTHENTICATED"))
                .body("status", equalTo(401));
    }

    @ParameterizedTest(name = "{0} with an unknown token")
    @MethodSource("endpoints")
    void shouldAnswer401ForAnUnknownToken(Endpoint endpoint) {
        endpoint.call(RestAssured.given().header(TestTokens.bearer(TestTokens.UNKNOWN)))
                .then().statusCode(401).contentType("application/problem+json")
                .body("code", equalTo("UNAUTHENTICATED"));
    }

    @ParameterizedTest(name = "{0} with a Basic header")
    @MethodSource("endpoints")
    void shouldAnswer401ForANonBearerScheme(Endpoint endpoint) {
        endpoint.call(RestAssured.given().header("Authorization", "Basic YWRtaW46YWRtaW4="))
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void shouldHaveARowForEveryEndpoint() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.quantgate");
        List<String> endpoints = new ArrayList<>();
        for (JavaClass javaClass : classes) {
            if (!javaClass.isAnnotatedWith(Path.class)) {
                continue;
            }
            Class<?> resource = javaClass.reflect();
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resource.getMethods()) {
                String verb = httpMethod(method);
                if (verb != null) {
                    Path sub = method.getAnnotation(Path.class);
                    endpoints.add(verb + " " + join(base, sub == null ? "" : sub.value()));
                }
            }
        }
        assertFalse(endpoints.isEmpty(), "no JAX-RS resource found: the scan is broken");
        List<String> rows = ENDPOINTS.stream().map(e -> e.method() + " " + e.path().get().split("\\?")[0]).toList();
        List<String> missing = endpoints.stream()
                .filter(endpoint -> rows.stream().noneMatch(row -> matches(endpoint, row)))
                .sorted()
                .toList();
        assertTrue(missing.isEmpty(), "Endpoints without a row in AuthorizationMatrixTest.ENDPOINTS: " + missing);
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod verb = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** "GET /a/{name}/b" matches the row "GET /a/matrix-model/b". */
    private static boolean matches(String endpoint, String row) {
        String regex = Arrays.stream(endpoint.split("\\{[^}]*}", -1)).map(Pattern::quote)
                .collect(Collectors.joining("[^/]+"));
        return row.matches(regex);
    }

    @ParameterizedTest(name = "GET {0} is open")
    @MethodSource("openPaths")
    void shouldServeOpenPathsWithoutAToken(String path) {
        RestAssured.given().get(path).then().statusCode(200);
    }

    /** A model in the mirror (with version 1 and alias champion), completed from the fake MLflow. */
    private static String mirroredModel() {
        String name = "matrix-model";
        FakeMlflow.get().seedFromFixtures(name);
        Arc.container().instance(RegistryEventSink.class).get().apply(new RegistryEvent(RegistryEvent.Kind.ALIAS_SET,
                name, "1", "champion", null, Instant.now(), "webhook:matrix"));
        return name;
    }

    /** A fresh promotion request on matrix-model (denied: no policy selects it). */
    private static PromotionView matrixPromotion() {
        String model = mirroredModel();
        PromotionService promotions = Arc.container().instance(PromotionService.class).get();
        return QuarkusTransaction.requiringNew().call(() -> promotions.request(
                new PromotionRequest(model, "1", "champion", null, "matrix"), "tests"));
    }

    /** A fresh waiver on matrix-model, made straight in the store. */
    private static String matrixWaiver() {
        WaiverStore waivers = Arc.container().instance(WaiverStore.class).get();
        return QuarkusTransaction.requiringNew().call(() -> waivers.grant(mirroredModel(), "1", "r", "matrix",
                Instant.parse("2099-01-01T00:00:00Z"), "tests", Instant.now())).toString();
    }

    /** A fresh write to MLflow, parked as if MLflow had refused it. */
    private static long parkedOutboxItem() {
        MlflowOutbox outbox = Arc.container().instance(MlflowOutbox.class).get();
        return QuarkusTransaction.requiringNew().call(() -> {
            long id = outbox.enqueue(new MlflowWrite.DeleteAlias("matrix-model", "matrix-" + TestTokens.shortId()), "tests");
            MlflowOutboxEntity.update("status = ?1 where id = ?2", MlflowOutboxEntity.PARKED, id);
            return id;
        });
    }

    private static String shippedDefaultPolicySha256() {
        try {
            return PolicyLoader.sha256(Files.readAllBytes(java.nio.file.Path.of("policies/default.yaml")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String newTokenId() {
        return Arc.container().instance(TokenService.class).get()
                .create(new CreateTokenRequest("matrix-victim-" + TestTokens.shortId(), Set.of(Roles.WORKER)), "tests")
                .id().toString();
    }
}
