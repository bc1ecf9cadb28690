package dev.quantgate.jobs;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.MlflowFixtures;
import dev.quantgate.testing.MutableClock;
import dev.quantgate.testing.TestDatabase;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registered version's flavor is read from its {@code MLmodel} (through the fake MLflow, which answers as the
 * recorded MLflow does) before anything is planned: a scikit-learn model gets no jobs and says why, on the tag, the
 * API and the audit trail; an MLflow outage delays the plan without losing it.
 */
@QuarkusTest
@TestProfile(JobsTestProfile.class)
class SourceInspectionTest {

    /** What {@code mlflow.onnx.log_model} wrote (MLflow 3.5, recorded). */
    private static final String ONNX_MLMODEL = MlflowFixtures.rest("mlflow3/lm-artifacts-download-MLmodel")
            .responseBodyRaw();
    /** What {@code mlflow.sklearn.log_model} writes for a pickled gradient-boosting classifier. */
    private static final String SKLEARN_MLMODEL = """
            artifact_path: model
            flavors:
              python_function:
                env:
                  conda: conda.yaml
                  virtualenv: python_env.yaml
                loader_module: mlflow.sklearn
                model_path: model.pkl
                predict_fn: predict
                python_version: 3.11.2
              sklearn:
                code: null
                pickled_model: model.pkl
                serialization_format: cloudpickle
                sklearn_version: 1.5.2
            mlflow_version: 3.5.0
            model_size_bytes: 48213
            utc_time_created: '2026-12-01 21:40:02.112233'
            """;

    @Inject
    MutableClock clock;

    @BeforeEach
    void quiet() {
        JobRows.finishAll();
        Pipeline.inspected();
    }

    @Test
    void shouldPlanNothingForAScikitLearnVersionAndSayWhy() throws SQLException {
        String model = Pipeline.newModel();
        int version = versionWith(model, SKLEARN_MLMODEL);

        Pipeline.registered(model, version, "webhook:" + TestTokens.shortId());

        assertEquals(List.of(), Pipeline.jobs(model));
        assertEquals(List.of("unsupported", "sklearn"), inspection(model, version));
        List<String> writes = Pipeline.writes(model);
        assertEquals(1, writes.size(), writes.toString());
        assertTrue(writes.get(0).contains("model-versions/set-tag")
                && writes.get(0).contains("\"quantgate.status\"")
                && writes.get(0).contains("\"unsupported_flavor:sklearn\""), writes.toString());
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{m}/versions/{v}", model, version)
                .then().statusCode(200).body("quantgateStatus", equalTo("unsupported_flavor:sklearn"));
        assertEquals(List.of("job.source_unsupported"), audited("model-version:" + model + "/" + version));
        io.quarkus.arc.Arc.container().instance(JobMetrics.class).get().refreshNow(); // counts are kept for a second
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("quantgate_source_inspections{state=\"unsupported\"}")
                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1), "the unsupported version is counted");

        TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", Integer.toString(version))).post("/api/v1/jobs/plan")
                .then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("NOT_PLANNABLE"))
                .body("detail", allOf(containsString("sklearn"), containsString("onnx")));
        // a redelivery inspects nothing again and writes nothing more
        Pipeline.registered(model, version, "poller");
        assertEquals(List.of(), Pipeline.jobs(model));
        assertEquals(1, Pipeline.writes(model).size());
    }

    @Test
    void shouldPlanAnOnnxVersionOnceItsFlavorIsKnown() throws SQLException {
        String model = Pipeline.newModel();
        int version = versionWith(model, ONNX_MLMODEL);

        Pipeline.registered(model, version, "webhook:" + TestTokens.shortId());

        assertEquals(3, Pipeline.jobs(model).size());
        assertEquals(List.of("planned", "onnx"), inspection(model, version));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{m}/versions/{v}", model, version)
                .then().statusCode(200).body("quantgateStatus", equalTo("planned"));
    }

    @Test
    void shouldWaitOutAnMlflowOutageBeforePlanning() throws SQLException {
        String model = Pipeline.newModel();
        int version = versionWith(model, ONNX_MLMODEL);
        Pipeline.mirrored(model, version, "webhook:" + TestTokens.shortId());
        FakeMlflow.get().down();
        try {
            assertEquals(1, Pipeline.inspected());

            assertEquals(List.of(), Pipeline.jobs(model), "nothing is planned while the flavor is unknown");
            assertEquals("pending", inspection(model, version).get(0));
            TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{m}/versions/{v}", model, version)
                    .then().statusCode(200).body("quantgateStatus", equalTo("inspecting"));
            TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON)
                    .body(Map.of("model", model, "version", Integer.toString(version))).post("/api/v1/jobs/plan")
                    .then().statusCode(503).contentType("application/problem+json")
                    .body("detail", containsString("MLmodel"));
            assertEquals(0, Pipeline.inspected(), "the next attempt waits for its backoff");
        } finally {
            FakeMlflow.get().up();
        }

        clock.advance(Duration.ofSeconds(30));
        assertEquals(1, Pipeline.inspected());

        assertEquals(3, Pipeline.jobs(model).size());
        assertEquals(List.of("planned", "onnx"), inspection(model, version));
    }

    @Test
    void shouldRefuseAHandPlanOfAScikitLearnVersionNoRegistrationInspected() throws SQLException {
        String model = Pipeline.newModel();
        int version = versionWith(model, SKLEARN_MLMODEL);
        Pipeline.registered(model, version, "webhook:" + TestTokens.shortId());
        try (Connection c = TestDatabase.owner();
             PreparedStatement forget = c.prepareStatement("DELETE FROM source_inspection WHERE model_name = ?")) {
            forget.setString(1, model);
            forget.executeUpdate();
        }

        TestTokens.as(Roles.ENGINEER).contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", Integer.toString(version))).post("/api/v1/jobs/plan")
                .then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("NOT_PLANNABLE")).body("detail", containsString("sklearn"));

        assertEquals(List.of(), Pipeline.jobs(model));
        assertEquals(List.of("unsupported", "sklearn"), inspection(model, version));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{m}/versions", model)
                .then().statusCode(200)
                .body("items.find { it.version == '" + version + "' }.quantgateStatus",
                        equalTo("unsupported_flavor:sklearn"));
    }

    /** A new version of the model whose run's {@code model/} folder holds this {@code MLmodel}, mirrored. */
    private static int versionWith(String model, String mlmodel) {
        String runId = "r" + TestTokens.shortId();
        FakeMlflow.VersionState v = FakeMlflow.get().createVersion(model, runId);
        FakeMlflow.get().putArtifact("1/" + runId + "/artifacts/model/MLmodel", mlmodel.getBytes(StandardCharsets.UTF_8));
        return v.version;
    }

    private static List<String> inspection(String model, int version) throws SQLException {
        try (Connection c = TestDatabase.app(); PreparedStatement select = c.prepareStatement(
                "SELECT state, flavor FROM source_inspection WHERE model_name = ? AND version = ?")) {
            select.setString(1, model);
            select.setInt(2, version);
            try (ResultSet rs = select.executeQuery()) {
                assertTrue(rs.next(), "no inspection of " + model + " v" + version);
                List<String> out = new ArrayList<>();
                out.add(rs.getString(1));
                out.add(rs.getString(2));
                return out;
            }
        }
    }

    private static List<String> audited(String subject) throws SQLException {
        try (Connection c = TestDatabase.app(); PreparedStatement select = c.prepareStatement(
                "SELECT action FROM audit_event WHERE subject = ? ORDER BY seq")) {
            select.setString(1, subject);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
