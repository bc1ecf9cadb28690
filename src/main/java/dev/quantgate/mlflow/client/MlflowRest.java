package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

/**
 * JSON calls to MLflow's REST API 2.0 for what mlflow-client lacks (registry writes, model search,
 * get-by-alias, runs, logged models). DELETE calls carry a JSON body, as MLflow expects. Needs no CDI: the
 * worker process builds one by hand (through {@code MlflowArtifacts}).
 */
public final class MlflowRest {

    private static final String API = "/api/2.0/mlflow/";

    private final String baseUrl;
    private final String authorization;
    private final Duration readTimeout;
    private final HttpClient http;
    private final ObjectMapper json;

    /**
     * @param baseUrl       MLflow's base URL, without a trailing slash
     * @param authorization the {@code Authorization} header's value, or {@code null}
     */
    public MlflowRest(String baseUrl, String authorization, Duration connectTimeout, Duration readTimeout,
               MlflowConfig.HttpVersion version, ObjectMapper json) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
        this.readTimeout = readTimeout;
        this.json = json;
        // java.net.http defaults to HTTP/2 and, on http://, offers "Upgrade: h2c" with every request, which
        // uvicorn before 0.19 (the MLflow server's, e.g. on Debian 12) answers 400 "Unsupported upgrade request."
        this.http = HttpClient.newBuilder()
                .version(version == MlflowConfig.HttpVersion.HTTP_2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The {@code Authorization} header's value for the configured authentication, or {@code null}. */
    public static String authorizationHeader(MlflowConfig config) {
        return switch (config.auth()) {
            case none -> null;
            case basic -> "Basic " + Base64.getEncoder().encodeToString(
                    (config.username().orElse("") + ":" + config.password().orElse("")).getBytes(StandardCharsets.UTF_8));
            case bearer -> "Bearer " + config.token().orElse("");
        };
    }

    /** Query parameters in the order given: {@code query("name", n, "version", v)}. */
    public static Map<String, String> query(String... keysAndValues) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** A GET under {@code /api/2.0/mlflow/} with these query parameters ({@code null} values left out). */
    public JsonNode get(String path, Map<String, String> query) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null) {
                q.add(encode(k) + "=" + encode(v));
            }
        });
        return send("GET", path + q, null);
    }

    /** A call under {@code /api/2.0/mlflow/}; {@code body} is serialised as JSON, {@code null} for none. */
    public JsonNode send(String method, String pathAndQuery, Object body) {
        String operation = method + " " + API + pathAndQuery.replaceAll("\\?.*", "");
        HttpRequest.Builder request = request(API + pathAndQuery).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot serialise the body of " + operation, e);
            }
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw MlflowErrors.unreachable(operation, baseUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowUnavailableException("Interrupted while calling MLflow: " + operation, e);
        }
        if (response.statusCode() >= 300) {
            throw MlflowErrors.fromBody(operation, response.statusCode(), response.body(), json);
        }
        try {
            String text = response.body();
            return json.readTree(text == null || text.isBlank() ? "{}" : text);
        } catch (IOException e) {
            throw new MlflowException("MLflow answered " + operation + " with a body that is not JSON", false, e);
        }
    }

    /** A request to {@code path} on the server (from {@code /api/...}, already encoded), with timeout and credentials. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(readTimeout);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    /** The HTTP/1.1 (or configured) client the calls share, for streaming transfers. */
    public HttpClient http() {
        return http;
    }

    /** The server's base URL. */
    public String baseUrl() {
        return baseUrl;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
