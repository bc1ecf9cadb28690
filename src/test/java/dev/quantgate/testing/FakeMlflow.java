package dev.quantgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import static dev.quantgate.testing.FakeAnswers.error;
import static dev.quantgate.testing.FakeAnswers.json;
import static dev.quantgate.testing.FakeAnswers.object;
import static dev.quantgate.testing.FakeAnswers.ok;
import static dev.quantgate.testing.FakeAnswers.query;
import static dev.quantgate.testing.FakeAnswers.queryOr;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
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
    private static final Pattern NAME_FILTER = Pattern.compile("^\\s*name\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'\\s*$");
    private static final Pattern TAG_FILTER = Pattern.compile("^\\s*tags\\.`([^`]+)`\\s*=\\s*'([^']*)'\\s*$");
    private static volatile FakeMlflow current;

    private final Map<String, ModelState> models = new TreeMap<>();
    private final FakeTracking tracking = new FakeTracking();
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

    /** One-shot actions by operation and model ({@code POST /registered-models/alias m}), run after the fake applied it. */
    private final Map<String, Runnable> afterNext = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs {@code action} once, right after the fake has applied the next call of this operation (e.g.
     * {@code "POST /registered-models/alias"}) to this model and before it answers: what happens in MLflow between
     * applying a client's write and the client hearing back.
     */
    public void afterNext(String operation, String model, Runnable action) {
        afterNext.put(operation + " " + model, action);
    }

    /** The registered model a registry call names (its body's or its query's {@code name}). */
    private static String modelOf(Request request) {
        String body = request.getBodyAsString();
        if (body != null && !body.isBlank()) {
            try {
                JsonNode name = JSON.readTree(body).path("name");
                if (name.isTextual()) {
                    return name.asText();
                }
            } catch (IOException e) {
                return "";
            }
        }
        String query = request.queryParameter("name").isPresent() ? request.queryParameter("name").firstValue() : "";
        return query;
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
        afterNext.clear();
        models.clear();
        tracking.clear();
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

    // ---- tracking: experiments, runs, logged models, artifacts ------------------------------------

    /** Every run, oldest first. */
    public synchronized List<FakeTracking.RunState> runs() {
        return tracking.runs();
    }

    /** A run (null when absent); its params, metrics, tags and status as MLflow holds them now. */
    public synchronized FakeTracking.RunState run(String runId) {
        return tracking.run(runId);
    }

    /** Creates (or returns) an experiment. */
    public synchronized FakeTracking.Experiment experiment(String name) {
        return tracking.experiment(name);
    }

    /** The experiment of that name, or null. */
    public synchronized FakeTracking.Experiment findExperiment(String name) {
        return tracking.findExperiment(name);
    }

    /** A new RUNNING run in the named experiment (created when absent). */
    public synchronized FakeTracking.RunState createRun(String experimentName, String runName) {
        return tracking.createRun(tracking.experiment(experimentName).id(), runName, now());
    }

    /** An MLflow 3 logged model produced by {@code run}; put its files under its artifact URI. */
    public synchronized FakeTracking.LoggedModel logModel(FakeTracking.RunState run, String name) {
        return tracking.logModel(run, name);
    }

    /** Registers the next version of a model from any source ({@code models:/m-...}, {@code runs:/...}). */
    public synchronized VersionState createVersionFrom(String model, String source, String runId) {
        VersionState v = createVersion(model, runId);
        v.source = source;
        return v;
    }

    /** Every version of a model, by number. */
    public synchronized List<VersionState> versionsOf(String model) {
        ModelState m = models.get(model);
        return m == null ? List.of() : List.copyOf(m.versions.values());
    }

    /** Stores a file in the artifact store, at a proxy path ({@code 1/<run>/artifacts/model/MLmodel}) or an
     * {@code mlflow-artifacts:/} URI. */
    public synchronized void putArtifact(String path, byte[] bytes) {
        tracking.putArtifact(path.replaceFirst("^mlflow-artifacts:/+", ""), bytes);
    }

    /** The bytes stored at a proxy path or {@code mlflow-artifacts:/} URI, or null. */
    public synchronized byte[] artifact(String path) {
        return tracking.artifact(path.replaceFirst("^mlflow-artifacts:/+", ""));
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

    /** Every write (POST) is answered only after {@code delay}, though applied at once; reads answer at once. */
    public synchronized void slowWrites(Duration delay) {
        faults.add(server.stubFor(post(anyUrl()).atPriority(1)
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

    /** The requests that reached this path (the whole path, query left out) with this method, oldest first, as recorded
     * (headers, body). */
    public List<com.github.tomakehurst.wiremock.verification.LoggedRequest> received(String method, String path) {
        return server.findAll(RequestPatternBuilder.newRequestPattern(RequestMethod.fromString(method), urlPathEqualTo(path)));
    }

    private void installRegistryStub() {
        server.stubFor(any(urlPathMatching("/api/2\\.0/mlflow/.*")).atPriority(10)
                .willReturn(aResponse().withTransformers(TRANSFORMER)));
        server.stubFor(any(urlPathMatching("/api/2\\.0/mlflow-artifacts/artifacts.*")).atPriority(10)
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
                    answer = path.startsWith(FakeTracking.PROXY) ? tracking.proxy(request) : answer(op, request);
                }
                Runnable after = afterNext.isEmpty() ? null : afterNext.remove(op + " " + modelOf(request));
                if (after != null) {
                    after.run();
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
                    // as MLflow's store: the earlier holders of an active stage are archived in the same call,
                    // stamped with the same last_updated_timestamp
                    long at = now();
                    if (body.path("archive_existing_versions").asBoolean(false)
                            && List.of("Staging", "Production").contains(stage)) {
                        models.get(v.model).versions.values().stream()
                                .filter(other -> other != v && stage.equals(other.stage)).forEach(other -> {
                                    other.stage = "Archived";
                                    other.lastUpdated = at;
                                });
                    }
                    v.stage = stage;
                    v.lastUpdated = at;
                    models.get(v.model).lastUpdated = at;
                    return ok(object("model_version", versionJson(v, false, false)));
                }
                case "POST /model-versions/create" -> {
                    return createVersion(body);
                }
                case "GET /model-versions/get-download-uri" -> {
                    VersionState v = findVersion(query(request, "name"), query(request, "version"));
                    if (v == null) {
                        return error("model-versions-get-download-uri--error-not-found",
                                Map.of("name", query(request, "name"), "version", query(request, "version")));
                    }
                    return ok(JSON.createObjectNode().put("artifact_uri", downloadUri(v)));
                }
                default -> {
                    ResponseDefinition tracked = tracking.answer(op, request, body, now());
                    return tracked != null ? tracked
                            : json(404, "{\"error_code\": \"ENDPOINT_NOT_FOUND\", \"message\": \"No fake for " + op + "\"}");
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

        private ResponseDefinition createVersion(JsonNode body) throws IOException {
            ModelState m = models.get(body.path("name").asText());
            if (m == null) {
                return error("model-versions-create--error-model-not-found", Map.of("name", body.path("name").asText()));
            }
            int number = m.versions.keySet().stream().max(Integer::compare).orElse(0) + 1;
            VersionState v = new VersionState(m.name, number, now());
            v.source = body.path("source").asText();
            v.runId = body.path("run_id").asText("");
            v.description = body.path("description").asText("");
            body.path("tags").forEach(t -> v.tags.put(t.path("key").asText(), t.path("value").asText()));
            m.versions.put(number, v);
            m.lastUpdated = v.created;
            return ok(object("model_version", versionJson(v, true, false)));
        }

        /** As MLflow 3.5: a logged model's folder for {@code models:/m-...}; {@code runs:/} left unresolved. */
        private String downloadUri(VersionState v) {
            if (v.source.startsWith("models:/m-")) {
                FakeTracking.LoggedModel model = tracking.loggedModel(v.source.substring("models:/".length()));
                return model == null ? v.source : model.artifactUri();
            }
            return v.source;
        }

        private ResponseDefinition searchVersions(Request request) throws IOException {
            String filter = queryOr(request, "filter", "");
            Matcher tag = TAG_FILTER.matcher(filter);
            if (tag.matches()) {
                return versionsTagged(tag.group(1), tag.group(2));
            }
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

        private ResponseDefinition versionsTagged(String key, String value) throws IOException {
            ObjectNode answer = JSON.createObjectNode();
            models.values().forEach(m -> m.versions.values().stream().filter(v -> value.equals(v.tags.get(key)))
                    .forEach(v -> (answer.has("model_versions") ? (ArrayNode) answer.get("model_versions")
                            : answer.putArray("model_versions")).add(versionJson(v, true, false))));
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
    }
}
