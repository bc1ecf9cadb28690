package dev.quantgate.evidence;

import dev.quantgate.api.Roles;
import dev.quantgate.jobs.JobRows;
import dev.quantgate.jobs.JobsTestProfile;
import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.testing.TestDatabase;
import dev.quantgate.testing.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(JobsTestProfile.class)
class EvidenceStoreTest {

    @Inject
    EvidenceStore store;

    @Test
    void shouldAddressContentByTheHashOfItsCanonicalJsonAndStoreItOnce() {
        String model = "jobs-evidence-" + TestTokens.shortId();
        long job = JobRows.insert(model, 1, "running", null);
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("z", List.of(1.0, 2.5));
        content.put("a", Map.of("accuracy", 0.8512, "name", "é"));
        Map<String, Object> reordered = new LinkedHashMap<>();
        reordered.put("a", Map.of("name", "é", "accuracy", 0.8512));
        reordered.put("z", List.of(1, 2.5));

        String first = put(content, job, model);
        String second = put(reordered, job, model);

        assertEquals(first, second, "the same content in another key order or number form");
        assertEquals(EvidenceStore.sha256(Jcs.write(content)), first);
        String body = TestTokens.as(Roles.AUDITOR).get("/api/v1/evidence/" + first).then().statusCode(200)
                .contentType("application/json")
                .header(EvidenceResource.SHA256_HEADER, first)
                .header("ETag", containsString(first))
                .header("Link", containsString("</api/v1/jobs/" + job + ">; rel=\"job\""))
                .extract().asString();
        assertEquals(Jcs.write(content), body, "the stored canonical JSON, byte for byte");
        assertEquals(first, EvidenceStore.sha256(body));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/" + model + "/versions/1/evidence").then()
                .statusCode(200).body("items", hasSize(1)).body("items[0].sha256", equalTo(first))
                .body("items[0].jobId", equalTo((int) job)).body("items[0].href", equalTo("/api/v1/evidence/" + first));
    }

    @Test
    void shouldListAVersionsEvidenceNewestFirst() {
        String model = "jobs-evidence-" + TestTokens.shortId();
        long job = JobRows.insert(model, 1, "running", null);
        String older = put(Map.of("run", 1), job, model);
        String newer = put(Map.of("run", 2), job, model);

        TestTokens.as(Roles.ENGINEER).queryParam("limit", 1).get("/api/v1/registry/models/" + model + "/versions/1/evidence")
                .then().statusCode(200).body("items[0].sha256", equalTo(newer)).body("next", org.hamcrest.Matchers.notNullValue());
        TestTokens.as(Roles.ENGINEER).get("/api/v1/registry/models/" + model + "/versions/1/evidence")
                .then().body("items.sha256", equalTo(List.of(newer, older)));
    }

    @Test
    void shouldRefuseToChangeOrDeleteEvidence() throws SQLException {
        String model = "jobs-evidence-" + TestTokens.shortId();
        String sha = put(Map.of("accuracy", 0.9), JobRows.insert(model, 1, "running", null), model);
        QuarkusTransaction.requiringNew().run(() -> store.recordVariantVersion(sha, 5));

        try (Connection c = TestDatabase.app()) {
            SQLException changed = assertThrows(SQLException.class, () -> run(c,
                    "UPDATE evidence SET content = '{\"accuracy\": 1}'::jsonb WHERE sha256 = ?", sha));
            assertTrue(changed.getMessage().contains("immutable"), changed.getMessage());
            assertThrows(SQLException.class, () -> run(c, "UPDATE evidence SET variant_version = 6 WHERE sha256 = ?", sha));
            assertThrows(SQLException.class, () -> run(c, "DELETE FROM evidence WHERE sha256 = ?", sha));
        }
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/" + model + "/versions/1/evidence").then()
                .body("items[0].variantVersion", equalTo(5));
    }

    @Test
    void shouldAnswerProblemsForABadOrUnknownHash() {
        TestTokens.as(Roles.AUDITOR).get("/api/v1/evidence/not-a-hash").then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"))
                .body("detail", containsString("sha256"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/evidence/" + "0".repeat(64)).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("EVIDENCE_NOT_FOUND"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/evidence/%00").then().statusCode(400)
                .contentType("application/problem+json");
        TestTokens.as(Roles.WORKER).get("/api/v1/evidence/" + "0".repeat(64)).then().statusCode(403);
    }

    private String put(Map<String, ?> content, long job, String model) {
        return QuarkusTransaction.requiringNew().call(() -> store.put(content,
                new EvidenceIndex(job, model, 1, "int8-dynamic", "a".repeat(64), "b".repeat(64))));
    }

    private static void run(Connection c, String sql, String sha) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, sha);
            s.executeUpdate();
        }
    }
}
