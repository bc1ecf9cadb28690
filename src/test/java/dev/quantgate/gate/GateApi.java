package dev.quantgate.gate;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gate's API as the tests call it, and the replay check every test ends with. */
final class GateApi {

    private GateApi() {
    }

    static Response promote(RequestSpecification as, String model, String alias) {
        return promote(as, model, "2", alias);
    }

    static Response promote(RequestSpecification as, String model, String version, String alias) {
        return as.contentType(ContentType.JSON)
                .body("{\"model\":\"" + model + "\",\"version\":\"" + version + "\",\"alias\":\"" + alias
                        + "\",\"reason\":\"better\"}")
                .post("/api/v1/promotions");
    }

    static Response approve(RequestSpecification as, String promotion, String verdict) {
        return as.contentType(ContentType.JSON).body("{\"verdict\":\"" + verdict + "\",\"comment\":\"looked at it\"}")
                .post("/api/v1/promotions/" + promotion + "/approvals");
    }

    /** Every decision stored for these models replays to the same bytes; answers how many there were. */
    static int assertEveryDecisionReplays(List<String> models) {
        List<String> ids = new ArrayList<>();
        for (String model : models) {
            ids.addAll(TestTokens.as(Roles.AUDITOR).queryParam("model", model).queryParam("limit", 500)
                    .get("/api/v1/decisions").then().statusCode(200).extract().jsonPath().getList("items.id", String.class));
        }
        for (String id : ids) {
            Response r = TestTokens.as(Roles.AUDITOR).post("/api/v1/decisions/" + id + "/replay");
            assertEquals(200, r.statusCode(), r.asString());
            assertTrue(r.jsonPath().getBoolean("matches"), "decision " + id + " replays: " + r.asString());
            assertEquals(r.jsonPath().getString("stored_sha256"), r.jsonPath().getString("replayed_sha256"));
        }
        return ids.size();
    }
}
