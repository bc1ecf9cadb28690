package dev.quantgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A fake MLflow tracking server for tests: WireMock serving MLflow's model registry REST API 2.0 from
 * an in-memory registry that tests change between calls, with the JSON shapes and the error bodies
 * MLflow really sends (taken from {@code ../shared/mlflow-fixtures/rest/}). It also replays single
 * recorded exchanges verbatim ({@link #replay}) and simulates outages ({@link #down()}, {@link #slow}).
 *
 * <p>Registered for every {@code @QuarkusTest} by {@link FakeMlflowEverywhere}, which points
 * {@code quantgate.mlflow.url} at it; a test gets it with {@link #get()} and should {@link #reset()} it
 * first. Writes QuantGate sends (aliases, tags, stage transitions) change the fake registry as MLflow would.
 */
public class FakeMlflow implements QuarkusTestResourceLifecycleManager {

    public static final String API = "/api/2.0/mlflow/";
    private static final String TRANSFORMER = "fake-mlflow-registry";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern NAME_FILTER = Pattern.compile("^\\s*name\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'\\s*$");
    private static volatile FakeMlflow current;

    private final Map<String, ModelState> models = new TreeMap<>();
    private WireMockServer server;
    private final List<StubMapping> faults = new ArrayList<>();

    /** The running fake of this test run. */
    public static FakeMlflow get() {
        FakeMlflow fake = current;
        if (fake == null) {
            throw new IllegalStateException("FakeMlflow is not running: is FakeMlflowEverywhere on the test classpath?");
        }
        return fake;
    }

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(options().dynamicPort().extensions(new Registry()));
        server.start();
        installRegistryStub();
        current = this;
        return Map.of("quantgate.mlflow.url", url());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
        current = null;
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public WireMockServer server() {
        return server;
    }

    /** Empties the registry, forgets requests, removes faults and replayed exchanges. */
    public synchronized void reset() {
        models.clear();
        faults.clear();
        server.resetAll();
        installRegistryStub();
    }

    // ---- the registry ---------------------------------------------------------------------------

    /** Creates (or returns) a registered model. */
    public synchronized ModelState model(String name) {
        return models.computeIfAbsent(name, n -> new ModelState(n, now()));
    }

    /** Creates the next version of a model, READY, stage "None", from a run's model artifact. */
    public synchronized VersionState createVersion(String model, String runId) {
        ModelState m = model(model);
        int number = m.versions.keySet().stream().max(Integer::compare).orElse(0) + 1;
        VersionState v = new VersionState(model, number, now());
        v.runId = runId;
        v.source = "mlflow-artifacts:/1/" + runId + "/artifacts/model";
        m.versions.put(number, v);
        m.lastUpdated = v.created;
        return v;
    }

    public synchronized void setAlias(String model, String alias, int version) {
        ModelState m = models.get(model);
        m.aliases.put(alias, version);
    }

    public synchronized void deleteAlias(String model, String alias) {
        ModelState m = models.get(model);
        if (m != null) {
            m.aliases.remove(alias);
        }
    }

    public synchronized void setTag(String model, int version, String key, String value) {
        models.get(model).versions.get(version).tags.put(key, value);
    }

    public synchronized void deleteTag(String model, int version, String key) {
        models.get(model).versions.get(version).tags.remove(key);
    }

    public synchronized void transition(String model, int version, String stage) {
        VersionState v = models.get(model).versions.get(version);
        v.stage = stage;
        v.lastUpdated = now();
    }

    /** Deletes a registered model with its versions and aliases (MLflow sends no webhook for it). */
    public synchronized void deleteModel(String model) {
        models.remove(model);
    }

    public synchronized void deleteVersion(String model, int version) {
        ModelState m = models.get(model);
        m.versions.remove(version);
        m.aliases.values().removeIf(v -> v == version);
    }

    /** A version as the fake holds it now (null when absent). */
    public synchronized VersionState version(String model, int version) {
        ModelState m = models.get(model);
        return m == null ? null : m.versions.get(version);
    }

    /** The version an alias points at now, or null. */
    public synchronized Integer alias(String model, String alias) {
        ModelState m = models.get(model);
        return m == null ? null : m.aliases.get(alias);
    }

    /**
     * Loads {@code fixture-model} as recorded: the model ({@code registered-models-get.json}), version 1
     * ({@code model-versions-get.json}) and version 2 ({@code model-versions-create-v2.json}).
     */
    public synchronized ModelState seedFromFixtures() {
        return seedFromFixtures(MlflowFixtures.rest("registered-models-get").responseBody()
                .path("registered_model").path("name").asText());
    }

    /** {@link #seedFromFixtures()} under another model name (tests that share one mirror use unique names). */
    public synchronized ModelState seedFromFixtures(String modelName) {
        JsonNode rm = MlflowFixtures.rest("registered-models-get").responseBody().path("registered_model");
        ModelState m = model(modelName);
        m.description = rm.path("description").asText();
        m.created = rm.path("creation_timestamp").asLong();
        m.lastUpdated = rm.path("last_updated_timestamp").asLong();
        rm.path("tags").forEach(t -> m.tags.put(t.path("key").asText(), t.path("value").asText()));
        for (String fixture : List.of("model-versions-get", "model-versions-create-v2")) {
            JsonNode mv = MlflowFixtures.rest(fixture).responseBody().path("model_version");
            VersionState v = new VersionState(modelName, mv.path("version").asInt(), mv.path("creation_timestamp").asLong());
            v.lastUpdated = mv.path("last_updated_timestamp").asLong();
            v.stage = mv.path("current_stage").asText();
            v.description = mv.path("description").asText();
            v.source = mv.path("source").asText();
            v.runId = mv.path("run_id").asText();
            v.status = mv.path("status").asText();
            mv.path("tags").forEach(t -> v.tags.put(t.path("key").asText(), t.path("value").asText()));
            m.versions.put(v.version, v);
        }
        return m;
    }

    // ---- faults and verbatim replays --------------------------------------------------------------

    /** Every request is answered by a reset connection, as when MLflow is down or restarting. */
    public synchronized void down() {
        faults.add(server.stubFor(any(anyUrl()).atPriority(1)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))));
    }

    /** Every answer is delayed by this long (to trip read timeouts). */
    public synchronized void slow(Duration delay) {
        faults.add(server.stubFor(any(anyUrl()).atPriority(1)
                .willReturn(aResponse().withTransformers(TRANSFORMER).withFixedDelay((int) delay.toMillis()))));
    }

    /** Requests about one registered model (its {@code name} query parameter) are answered only after {@code delay}. */
    public synchronized void slowFor(String model, Duration delay) {
        faults.add(server.stubFor(any(urlPathMatching("/api/2\\.0/mlflow/.*")).withQueryParam("name", equalTo(model))
                .atPriority(1)
                .willReturn(aResponse().withTransformers(TRANSFORMER).withFixedDelay((int) delay.toMillis()))));
    }

    /** Every request is answered with this status and body (e.g. 503, 429). */
    public synchronized void answerAll(int status, String body) {
        faults.add(server.stubFor(any(anyUrl()).atPriority(1).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body))));
    }

    /** Ends {@link #down()}, {@link #slow} and {@link #answerAll}: the registry answers again. */
    public synchronized void up() {
        faults.forEach(server::removeStub);
        faults.clear();
    }

    /**
     * Serves one recorded exchange verbatim: a request with the fixture's method, path and query (or
     * JSON body) gets the recorded status, content type and body, byte for byte.
     */
    public synchronized void replay(String fixture) {
        replay(fixture, true);
    }

    /** {@link #replay(String)}, optionally matching any query string (for searches QuantGate pages differently). */
    public synchronized void replay(String fixture, boolean matchQuery) {
        MlflowFixtures.Exchange e = MlflowFixtures.rest(fixture);
        var mapping = request(e.method(), urlPathEqualTo(e.path())).atPriority(2);
        if (matchQuery) {
            e.query().forEach((k, v) -> mapping.withQueryParam(k, equalTo(v)));
        }
        if (e.requestBody() != null && e.requestBody().isObject()) {
            mapping.withRequestBody(equalToJson(e.requestBody().toString()));
        }
        server.stubFor(mapping.willReturn(aResponse().withStatus(e.status())
                .withHeader("Content-Type", e.responseContentType()).withBody(e.responseBodyRaw())));
    }

    /** How many requests reached {@code API + path} with this method. */
    public int requests(String method, String path) {
        return server.findAll(RequestPatternBuilder.newRequestPattern(RequestMethod.fromString(method),
                urlPathEqualTo(API + path))).size();
    }

    /** The JSON bodies of the requests to {@code API + path} with this method, oldest first. */
    public List<JsonNode> requestBodies(String method, String path) {
        List<JsonNode> bodies = new ArrayList<>();
        for (var r : server.findAll(RequestPatternBuilder.newRequestPattern(RequestMethod.fromString(method),
                urlPathEqualTo(API + path)))) {
            try {
                bodies.add(JSON.readTree(r.getBodyAsString()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return bodies;
    }

    private void installRegistryStub() {
        server.stubFor(any(urlPathMatching("/api/2\\.0/mlflow/.*")).atPriority(10)
                .willReturn(aResponse().withTransformers(TRANSFORMER)));
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    // ---- state ----------------------------------------------------------------------------------

    public static final class ModelState {
        public final String name;
        public String description = "";
        public long created;
        public long lastUpdated;
        public final Map<String, String> tags = new LinkedHashMap<>();
        public final Map<String, Integer> aliases = new TreeMap<>();
        public final Map<Integer, VersionState> versions = new TreeMap<>();

        ModelState(String name, long created) {
            this.name = name;
            this.created = created;
            this.lastUpdated = created;
        }
    }

    public static final class VersionState {
        public final String model;
        public final int version;
        public final long created;
        public long lastUpdated;
        public String stage = "None";
        public String description = "";
        public String source;
        public String runId = "";
        public String status = "READY";
        public final Map<String, String> tags = new LinkedHashMap<>();

        VersionState(String model, int version, long created) {
            this.model = model;
            this.version = version;
            this.created = created;
            this.lastUpdated = created;
        }
    }

    // ---- serving --------------------------------------------------------------------------------

    /** Answers registry calls from the in-memory state, shaped as MLflow 3.5.1 answers them. */
    private final class Registry implements ResponseDefinitionTransformerV2 {

        @Override
        public String getName() {
            return TRANSFORMER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            Request request = serveEvent.getRequest();
            String path = request.getUrl().replaceAll("\\?.*", "");
            String op = request.getMethod().getName() + " " + path.substring(API.length() - 1);
            Integer delay = serveEvent.getResponseDefinition() == null ? null
                    : serveEvent.getResponseDefinition().getFixedDelayMilliseconds();
            try {
                ResponseDefinition answer;
                synchronized (FakeMlflow.this) {
                    answer = answer(op, request);
                }
                return delay == null ? answer : ResponseDefinitionBuilder.like(answer).withFixedDelay(delay).build();
            } catch (IOException e) {
                return json(500, "{\"error_code\": \"INTERNAL_ERROR\", \"message\": \"" + e.getMessage() + "\"}");
            }
        }

        private ResponseDefinition answer(String op, Request request) throws IOException {
            JsonNode body = request.getBodyAsString() == null || request.getBodyAsString().isBlank()
                    ? JSON.createObjectNode() : JSON.readTree(request.getBodyAsString());
            switch (op) {
                case "GET /registered-models/get" -> {
                    ModelState m = models.get(query(request, "name"));
                    if (m == null) {
                        return error("registered-models-get--error-not-found", Map.of("name", query(request, "name")));
                    }
                    return ok(object("registered_model", modelJson(m)));
                }
                case "GET /registered-models/search" -> {
                    return searchModels(request);
                }
                case "GET /model-versions/get" -> {
                    VersionState v = findVersion(query(request, "name"), query(request, "version"));
                    if (v == null) {
                        return error("model-versions-get--error-not-found",
                                Map.of("name", query(request, "name"), "version", query(request, "version")));
                    }
                    return ok(object("model_version", versionJson(v, true, false)));
                }
                case "GET /model-versions/search" -> {
                    return searchVersions(request);
                }
                case "GET /registered-models/alias" -> {
                    ModelState m = models.get(query(request, "name"));
                    Integer version = m == null ? null : m.aliases.get(query(request, "alias"));
                    if (version == null) {
                        return error("registered-models-get-alias--error-not-found",
                                Map.of("name", query(request, "name"), "alias", query(request, "alias")));
                    }
                    return ok(object("model_version", versionJson(m.versions.get(version), false, true)));
                }
                case "POST /registered-models/alias" -> {
                    VersionState v = findVersion(body.path("name").asText(), body.path("version").asText());
                    if (v == null) {
                        return error("registered-models-set-alias--error-version-not-found",
                                Map.of("name", body.path("name").asText(), "version", body.path("version").asText()));
                    }
                    models.get(v.model).aliases.put(body.path("alias").asText(), v.version);
                    return ok(JSON.createObjectNode());
                }
                case "DELETE /registered-models/alias" -> {
                    ModelState m = models.get(body.path("name").asText());
                    if (m != null) {
                        m.aliases.remove(body.path("alias").asText());
                    }
                    return json(200, "{}");
                }
                case "POST /model-versions/set-tag" -> {
                    VersionState v = findVersion(body.path("name").asText(), body.path("version").asText());
                    if (v == null) {
                        return error("model-versions-set-tag--error-not-found",
                                Map.of("name", body.path("name").asText(), "version", body.path("version").asText()));
                    }
                    v.tags.put(body.path("key").asText(), body.path("value").asText());
                    return json(200, "{}");
                }
                case "DELETE /model-versions/delete-tag" -> {
                    VersionState v = findVersion(body.path("name").asText(), body.path("version").asText());
                    if (v == null) {
                        return error("model-versions-get--error-not-found",
                                Map.of("name", body.path("name").asText(), "version", body.path("version").asText()));
                    }
                    v.tags.remove(body.path("key").asText());
                    return json(200, "{}");
                }
                case "POST /model-versions/transition-stage" -> {
                    String stage = body.path("stage").asText();
                    if (!List.of("None", "Staging", "Production", "Archived").contains(stage)) {
                        return error("model-versions-transition-stage--error-invalid-stage", Map.of("stage", stage));
                    }
                    VersionState v = findVersion(body.path("name").asText(), body.path("version").asText());
                    if (v == null) {
                        return error("model-versions-get--error-not-found",
                                Map.of("name", body.path("name").asText(), "version", body.path("version").asText()));
                    }
                    v.stage = stage;
                    v.lastUpdated = now();
                    return ok(object("model_version", versionJson(v, false, false)));
                }
                default -> {
                    return json(404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\", \"message\": \"No fake for " + op + "\"}");
                }
            }
        }

        private ResponseDefinition searchModels(Request request) throws IOException {
            int max = Integer.parseInt(queryOr(request, "max_results", "100"));
            int offset = Integer.parseInt(queryOr(request, "page_token", "0"));
            List<ModelState> all = new ArrayList<>(models.values());
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode items = answer.putArray("registered_models");
            all.stream().skip(offset).limit(max).forEach(m -> items.add(modelJson(m)));
            if (offset + max < all.size()) {
                answer.put("next_page_token", Integer.toString(offset + max));
            }
            return ok(answer);
        }

        private ResponseDefinition searchVersions(Request request) throws IOException {
            String filter = queryOr(request, "filter", "");
            Matcher name = NAME_FILTER.matcher(filter);
            if (!filter.isBlank() && !name.matches()) {
                return error("model-versions-search--error-bad-filter", Map.of());
            }
            int max = Integer.parseInt(queryOr(request, "max_results", "10000"));
            int offset = Integer.parseInt(queryOr(request, "page_token", "0"));
            List<VersionState> all = new ArrayList<>();
            models.values().stream()
                    .filter(m -> filter.isBlank() || m.name.equals(name.group(1).replace("\\'", "'")))
                    .forEach(m -> all.addAll(m.versions.values()));
            all.sort(Comparator.comparing((VersionState v) -> v.model).thenComparing(v -> -v.version));
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode items = answer.putArray("model_versions");
            all.stream().skip(offset).limit(max).forEach(v -> items.add(versionJson(v, true, true)));
            if (offset + max < all.size()) {
                answer.put("next_page_token", Integer.toString(offset + max));
            }
            return ok(answer);
        }

        private VersionState findVersion(String model, String version) {
            ModelState m = models.get(model);
            if (m == null || version == null || !version.matches("\\d+")) {
                return null;
            }
            return m.versions.get(Integer.parseInt(version));
        }

        /** Keys in the order MLflow writes them; empty lists left out, as MLflow's proto JSON does. */
        private ObjectNode modelJson(ModelState m) {
            ObjectNode n = JSON.createObjectNode();
            n.put("name", m.name);
            n.put("creation_timestamp", m.created);
            n.put("last_updated_timestamp", m.lastUpdated);
            n.put("description", m.description);
            if (!m.versions.isEmpty()) {
                ArrayNode latest = n.putArray("latest_versions");
                Map<String, VersionState> latestByStage = new TreeMap<>();
                m.versions.values().forEach(v -> latestByStage.put(v.stage, v));
                latestByStage.values().forEach(v -> latest.add(versionJson(v, false, false)));
            }
            if (!m.tags.isEmpty()) {
                ArrayNode tags = n.putArray("tags");
                m.tags.forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
            }
            if (!m.aliases.isEmpty()) {
                ArrayNode aliases = n.putArray("aliases");
                m.aliases.forEach((a, v) -> aliases.addObject().put("alias", a).put("version", Integer.toString(v)));
            }
            return n;
        }

        private ObjectNode versionJson(VersionState v, boolean withTags, boolean withAliases) {
            ObjectNode n = JSON.createObjectNode();
            n.put("name", v.model);
            n.put("version", Integer.toString(v.version));
            n.put("creation_timestamp", v.created);
            n.put("last_updated_timestamp", v.lastUpdated);
            n.put("current_stage", v.stage);
            n.put("description", v.description);
            n.put("source", v.source);
            n.put("run_id", v.runId);
            n.put("status", v.status);
            if (withTags && !v.tags.isEmpty()) {
                ArrayNode tags = n.putArray("tags");
                v.tags.forEach((k, val) -> tags.addObject().put("key", k).put("value", val));
            }
            n.put("run_link", "");
            if (withAliases) {
                List<String> aliases = new ArrayList<>();
                models.get(v.model).aliases.forEach((a, ver) -> {
                    if (ver == v.version) {
                        aliases.add(a);
                    }
                });
                if (!aliases.isEmpty()) {
                    ArrayNode array = n.putArray("aliases");
                    aliases.forEach(array::add);
                }
            }
            return n;
        }

        private ObjectNode object(String key, JsonNode value) {
            ObjectNode n = JSON.createObjectNode();
            n.set(key, value);
            return n;
        }

        private ResponseDefinition ok(JsonNode body) throws IOException {
            return json(200, PRETTY.writeValueAsString(body));
        }

        /**
         * The recorded error of a fixture, its status and body as MLflow sent them, with the recorded
         * request's values (model name, version, alias, stage) replaced by this request's.
         */
        private ResponseDefinition error(String fixture, Map<String, String> actual) {
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

        private ResponseDefinition json(int status, String body) {
            return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                    .withHeader("Content-Type", "application/json").withBody(body).build();
        }

        private String query(Request request, String key) {
            QueryParameter p = request.queryParameter(key);
            return p != null && p.isPresent() ? p.firstValue() : null;
        }

        private String queryOr(Request request, String key, String fallback) {
            String value = query(request, key);
            return value == null || value.isEmpty() ? fallback : value;
        }
    }
}
