package dev.quantgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recorded MLflow REST exchanges in {@code ../shared/mlflow-fixtures/rest/} (see its README):
 * method, path, query, request body, status and the response body exactly as MLflow sent it.
 */
public final class MlflowFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Exchange> CACHE = new ConcurrentHashMap<>();

    private MlflowFixtures() {
    }

    /** One recorded exchange. {@code responseBodyRaw} is byte for byte what MLflow answered. */
    public record Exchange(String file, String method, String path, Map<String, String> query, JsonNode requestBody,
                           int status, String responseContentType, JsonNode responseBody, String responseBodyRaw) {

        /** A request value (query parameter or JSON body field) as recorded. */
        public String requestValue(String key) {
            if (query.containsKey(key)) {
                return query.get(key);
            }
            return requestBody != null && requestBody.hasNonNull(key) ? requestBody.get(key).asText() : null;
        }
    }

    public static Path restDirectory() {
        return Path.of(System.getProperty("quantgate.shared.dir", "../shared"), "mlflow-fixtures", "rest");
    }

    /** The exchange recorded in {@code rest/<name>} ({@code .json} optional). */
    public static Exchange rest(String name) {
        String file = name.endsWith(".json") ? name : name + ".json";
        return CACHE.computeIfAbsent(file, MlflowFixtures::load);
    }

    private static Exchange load(String file) {
        Path path = restDirectory().resolve(file);
        try {
            JsonNode node = JSON.readTree(Files.readString(path));
            Map<String, String> query = new LinkedHashMap<>();
            node.path("query").fields().forEachRemaining(e -> query.put(e.getKey(), e.getValue().asText()));
            JsonNode body = node.get("request_body");
            return new Exchange(file, node.path("method").asText(), node.path("path").asText(), Map.copyOf(query),
                    body == null || body.isNull() ? null : body, node.path("status").asInt(),
                    node.path("response_content_type").asText("application/json"), node.get("response_body"),
                    node.path("response_body_raw").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read MLflow fixture " + path.toAbsolutePath(), e);
        }
    }
}
