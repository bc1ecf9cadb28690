package dev.quantgate.audit;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An audited API write and its event commit together; a refused one is audited even though nothing else is kept. */
@QuarkusTest
class AuditedWritesTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void shouldRecordExactlyOneSuccessEventWithTheWriteItRecords() throws SQLException {
        String name = "audited-" + TestTokens.shortId();
        create(name).then().statusCode(201);

        List<Map<String, Object>> events = events("token:" + name);
        assertEquals(1, events.size(), events.toString());
        assertEquals("token.create", events.get(0).get("action"));
        assertEquals(Map.of("outcome", "success"), events.get(0).get("payload"));
        assertEquals(1, tokensNamed(name));
    }

    @Test
    void shouldAuditARefusedWriteAndKeepNothingElseOfIt() throws SQLException {
        String name = "taken-" + TestTokens.shortId();
        create(name).then().statusCode(201);
        create(name).then().statusCode(409).body("code", equalTo("TOKEN_NAME_TAKEN"));

        List<Map<String, Object>> events = events("token:" + name);
        assertEquals(2, events.size(), events.toString());
        assertEquals(Map.of("outcome", "failure", "error", "TOKEN_NAME_TAKEN"), events.get(1).get("payload"));
        assertEquals(1, tokensNamed(name));
    }

    @Test
    void shouldAuditARefusalWhoseSubjectHoldsANulByte() {
        String name = "nul-" + TestTokens.shortId();
        create(name + "\u0000x").then().statusCode(400);

        List<Map<String, Object>> events = events("token:" + name + "\\u0000x");
        assertEquals(1, events.size(), events.toString());
        Map<?, ?> payload = (Map<?, ?>) events.get(0).get("payload");
        assertEquals("failure", payload.get("outcome"));
        assertEquals(Boolean.TRUE, ((Map<?, ?>) ((Map<?, ?>) payload.get("audit_altered")).get("subject")).get("escaped"));
    }

    @Test
    void shouldAuditARefusalWhoseSubjectIsTooLongForItsColumn() {
        String prefix = "long-" + TestTokens.shortId();
        String name = prefix + "x".repeat(600);
        create(name).then().statusCode(400);

        List<Map<String, Object>> events = events("token:" + prefix);
        assertEquals(1, events.size(), events.toString());
        String subject = (String) events.get(0).get("subject");
        assertEquals(500, subject.length());
        assertTrue(subject.endsWith(AuditValues.CUT_MARKER), subject);
        Map<?, ?> altered = (Map<?, ?>) ((Map<?, ?>) events.get(0).get("payload")).get("audit_altered");
        assertEquals(("token:" + name).length(), ((Map<?, ?>) altered.get("subject")).get("length"));
    }

    private static io.restassured.response.Response create(String name) {
        return TestTokens.as(Roles.ADMIN).contentType("application/json")
                .body(Map.of("name", name, "roles", List.of("auditor")))
                .post("/api/v1/admin/tokens");
    }

    private static List<Map<String, Object>> events(String subjectPrefix) {
        JsonPath page = TestTokens.as(Roles.AUDITOR).queryParam("subject", subjectPrefix).queryParam("limit", 500)
                .get("/api/v1/audit/events").then().statusCode(200).extract().jsonPath();
        return page.getList("items");
    }

    private int tokensNamed(String name) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM api_token WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
