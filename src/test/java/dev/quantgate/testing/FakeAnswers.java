package dev.quantgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;

import java.io.IOException;
import java.util.Map;

/** How {@link FakeMlflow} answers: MLflow's pretty JSON, and recorded errors with this request's values. */
final class FakeAnswers {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private FakeAnswers() {
    }

    static ObjectNode object(String key, JsonNode value) {
        ObjectNode n = JSON.createObjectNode();
        n.set(key, value);
        return n;
    }

    static ResponseDefinition ok(JsonNode body) throws IOException {
        return json(200, PRETTY.writeValueAsString(body));
    }

    /**
     * The recorded error of a fixture, its status and body as MLflow sent them, with the recorded
     * request's values (model name, version, alias, stage) replaced by this request's.
     */
    static ResponseDefinition error(String fixture, Map<String, String> actual) {
        MlflowFixtures.Exchange e = MlflowFixtures.rest(fixture);
        String body = e.responseBodyRaw();
        for (Map.Entry<String, String> value : actual.entrySet()) {
            String recorded = e.requestValue(value.getKey());
            if (recorded != null && value.getValue() != null) {
                body = body.replace(recorded, value.getValue());
            }
        }
        return json(e.status(), body);
    }

    /** A recorded error with literal replacements (for values recorded in the path, not the request). */
    static ResponseDefinition errorReplacing(String fixture, String recorded, String actual) {
        MlflowFixtures.Exchange e = MlflowFixtures.rest(fixture);
        return json(e.status(), e.responseBodyRaw().replace(recorded, actual));
    }

    static ResponseDefinition json(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body).build();
    }

    static String query(Request request, String key) {
        QueryParameter p = request.queryParameter(key);
        return p != null && p.isPresent() ? p.firstValue() : null;
    }

    static String queryOr(Request request, String key, String fallback) {
        String value = query(request, key);
        return value == null || value.isEmpty() ? fallback : value;
    }

    /** {@code [{"key": k, "value": v}, ...]} under {@code field}, left out when empty (as MLflow's proto JSON does). */
    static void keyValues(ObjectNode into, String field, Map<String, String> map) {
        if (map.isEmpty()) {
            return;
        }
        ArrayNode array = into.putArray(field);
        map.forEach((k, v) -> array.addObject().put("key", k).put("value", v));
    }
}
