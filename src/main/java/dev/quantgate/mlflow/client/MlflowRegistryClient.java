package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.mlflow.api.proto.ModelRegistry;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.ModelVersionsPage;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * All of QuantGate's traffic to MLflow's model registry. Reads go through mlflow-client where it has
 * the call (get model, get version, search versions); model search, get-by-alias and every write
 * are JSON calls to REST API 2.0. Failures surface as {@link MlflowApiException} (MLflow's status and
 * {@code error_code}) or {@link MlflowUnavailableException} (not reached; retryable).
 */
@ApplicationScoped
public class MlflowRegistryClient {

    private static final Logger LOG = Logger.getLogger(MlflowRegistryClient.class);

    private final String baseUrl;
    private final MlflowClient client;
    private final MlflowRest rest;
    private final CompositeWrites composites;
    private final ObjectMapper json;

    public MlflowRegistryClient(MlflowConfig config, ObjectMapper json) {
        this.json = json;
        this.baseUrl = config.url().map(MlflowRegistryClient::trimSlash).filter(u -> !u.isBlank()).orElse(null);
        if (baseUrl == null) {
            this.client = null;
            this.rest = null;
            this.composites = null;
            return;
        }
        this.client = new MlflowClient(credentials(config, baseUrl));
        MlflowClientTimeouts.apply(client, config.connectTimeout(), config.readTimeout());
        this.rest = new MlflowRest(baseUrl, MlflowRest.authorizationHeader(config),
                config.connectTimeout(), config.readTimeout(), config.httpVersion(), json);
        this.composites = new CompositeWrites(rest, json);
        LOG.infof("MLflow registry at %s (auth %s)", baseUrl, config.auth());
    }

    /** Whether an MLflow URL is configured. */
    public boolean configured() {
        return baseUrl != null;
    }

    /** The configured base URL, or {@code null}. */
    public String baseUrl() {
        return baseUrl;
    }

    public MlflowModel getRegisteredModel(String name) {
        return read("GET registered-models/get " + name, () -> toModel(client().getRegisteredModel(name)));
    }

    public MlflowModelVersion getModelVersion(String name, String version) {
        return read("GET model-versions/get " + name + " v" + version,
                () -> toVersion(client().getModelVersion(name, version)));
    }

    /** The version an alias points at; a missing alias is MLflow's 400 {@code INVALID_PARAMETER_VALUE}. */
    public MlflowModelVersion getModelVersionByAlias(String name, String alias) {
        JsonNode answer = rest().get("registered-models/alias", MlflowRest.query("name", name, "alias", alias));
        return versionFromJson(answer.path("model_version"));
    }

    /** Every version of one model, all pages, through mlflow-client's search. */
    public List<MlflowModelVersion> searchModelVersions(String modelName, int pageSize) {
        String filter = "name='" + modelName.replace("'", "\\'") + "'";
        return read("GET model-versions/search " + filter, () -> {
            List<MlflowModelVersion> all = new ArrayList<>();
            ModelVersionsPage page = client().searchModelVersions(filter, pageSize, List.of());
            while (true) {
                page.getItems().forEach(v -> all.add(toVersion(v)));
                if (!page.hasNextPage()) {
                    return all;
                }
                page = (ModelVersionsPage) page.getNextPage();
            }
        });
    }

    /** Every registered model, all pages (not in mlflow-client: a REST call). */
    public List<MlflowModel> searchRegisteredModels(int pageSize) {
        List<MlflowModel> all = new ArrayList<>();
        String token = null;
        do {
            ModelsPage page = searchRegisteredModelsPage(token, pageSize);
            all.addAll(page.models());
            token = page.nextPageToken();
        } while (token != null);
        return all;
    }

    /** One page of registered models, in MLflow's order (by name). */
    public ModelsPage searchRegisteredModelsPage(String pageToken, int pageSize) {
        JsonNode answer = rest().get("registered-models/search", MlflowRest.query("max_results", Integer.toString(pageSize),
                "order_by", "name ASC", "page_token", pageToken));
        List<MlflowModel> models = new ArrayList<>();
        for (JsonNode m : answer.path("registered_models")) {
            models.add(modelFromJson(m));
        }
        String next = answer.hasNonNull("next_page_token") && !answer.get("next_page_token").asText().isEmpty()
                ? answer.get("next_page_token").asText() : null;
        return new ModelsPage(List.copyOf(models), next);
    }

    /**
     * One page of a registered-model search.
     *
     * @param nextPageToken where the next page starts, {@code null} after the last
     */
    public record ModelsPage(List<MlflowModel> models, String nextPageToken) {
    }

    /** {@link #execute(MlflowWrite, Instant)} with the write made now. */
    public JsonNode execute(MlflowWrite write) {
        return execute(write, Instant.now());
    }

    /**
     * Sends one write. A {@link MlflowWrite.Call} answers MLflow's answer ({@code {}} or the changed entity); a
     * {@link MlflowWrite.Composite} answers its summary (see each record) and sends {@code madeAt} as its
     * timestamps, so that sending it again sends the same values.
     */
    public JsonNode execute(MlflowWrite write, Instant madeAt) {
        if (write instanceof MlflowWrite.Call call) {
            return rest().send(call.method(), call.path(), call.body());
        }
        rest();
        return composites.execute((MlflowWrite.Composite) write, madeAt);
    }

    private <T> T read(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (MlflowClientException e) {
            throw MlflowErrors.fromClient(operation, baseUrl, e, json);
        }
    }

    private MlflowClient client() {
        if (client == null) {
            throw notConfigured();
        }
        return client;
    }

    private MlflowRest rest() {
        if (rest == null) {
            throw notConfigured();
        }
        return rest;
    }

    private static MlflowUnavailableException notConfigured() {
        return new MlflowUnavailableException(
                "No MLflow server is configured: set QUANTGATE_MLFLOW_URL (quantgate.mlflow.url)", null);
    }

    private static BasicMlflowHostCreds credentials(MlflowConfig config, String url) {
        return switch (config.auth()) {
            case none -> new BasicMlflowHostCreds(url);
            case basic -> new BasicMlflowHostCreds(url, config.username().orElse(""), config.password().orElse(""));
            case bearer -> new BasicMlflowHostCreds(url, config.token().orElse(""));
        };
    }

    static MlflowModel toModel(ModelRegistry.RegisteredModel m) {
        Map<String, String> tags = new LinkedHashMap<>();
        m.getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
        Map<String, String> aliases = new LinkedHashMap<>();
        m.getAliasesList().forEach(a -> aliases.put(a.getAlias(), a.getVersion()));
        return new MlflowModel(m.getName(), m.hasDescription() ? m.getDescription() : null,
                m.hasCreationTimestamp() ? m.getCreationTimestamp() : null,
                m.hasLastUpdatedTimestamp() ? m.getLastUpdatedTimestamp() : null, tags, aliases);
    }

    static MlflowModelVersion toVersion(ModelRegistry.ModelVersion v) {
        Map<String, String> tags = new LinkedHashMap<>();
        v.getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
        return new MlflowModelVersion(v.getName(), v.getVersion(),
                v.hasCreationTimestamp() ? v.getCreationTimestamp() : null,
                v.hasLastUpdatedTimestamp() ? v.getLastUpdatedTimestamp() : null,
                v.hasCurrentStage() ? v.getCurrentStage() : null,
                v.hasDescription() ? v.getDescription() : null,
                v.hasSource() ? v.getSource() : null,
                v.hasRunId() ? v.getRunId() : null,
                v.hasStatus() ? v.getStatus().name() : null,
                tags, List.copyOf(v.getAliasesList()));
    }

    static MlflowModel modelFromJson(JsonNode m) {
        Map<String, String> tags = new LinkedHashMap<>();
        m.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
        Map<String, String> aliases = new LinkedHashMap<>();
        m.path("aliases").forEach(a -> aliases.put(a.path("alias").asText(), a.path("version").asText()));
        return new MlflowModel(m.path("name").asText(), text(m, "description"), number(m, "creation_timestamp"),
                number(m, "last_updated_timestamp"), tags, aliases);
    }

    static MlflowModelVersion versionFromJson(JsonNode v) {
        Map<String, String> tags = new LinkedHashMap<>();
        v.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
        List<String> aliases = new ArrayList<>();
        v.path("aliases").forEach(a -> aliases.add(a.asText()));
        return new MlflowModelVersion(v.path("name").asText(), v.path("version").asText(),
                number(v, "creation_timestamp"), number(v, "last_updated_timestamp"), text(v, "current_stage"),
                text(v, "description"), text(v, "source"), text(v, "run_id"), text(v, "status"), tags, aliases);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static Long number(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asLong() : null;
    }

    private static String trimSlash(String url) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
