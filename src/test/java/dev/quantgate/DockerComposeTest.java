package dev.quantgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code docker-compose.yml} (no Docker engine runs here): its structure, checked by parsing it,
 * and — where a Compose client ({@code docker compose} or {@code docker-compose}) is installed —
 * Compose's own validation ({@code config}), which needs no engine.
 */
class DockerComposeTest {

    private static final Path COMPOSE = Path.of("docker-compose.yml");
    private static JsonNode services;

    @BeforeAll
    static void parse() throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
        services = root.get("services");
    }

    @Test
    void shouldDefinePostgresMlflowAndQuantGate() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("postgres", "mlflow", "quantgate", "worker"), names);
        assertTrue(services.at("/postgres/healthcheck/test").toString().contains("pg_isready"));
    }

    @Test
    void shouldRunTheOfficialMlflowImageOnTheSqlStoreWithTheArtifactProxy() {
        JsonNode mlflow = services.get("mlflow");
        assertTrue(mlflow.get("image").asText().startsWith("ghcr.io/mlflow/mlflow:"), mlflow.get("image").asText());
        String command = mlflow.get("command").toString();
        assertTrue(command.contains("mlflow server"), command);
        assertTrue(command.contains("--backend-store-uri postgresql://quantgate:quantgate@postgres:5432/mlflow"), command);
        assertTrue(command.contains("--serve-artifacts"), command);
        assertTrue(command.contains("psycopg2"), "the official image needs a PostgreSQL driver: " + command);
        assertEquals("service_healthy", mlflow.at("/depends_on/postgres/condition").asText());
        assertEquals("5000:5000", mlflow.at("/ports/0").asText());
    }

    @Test
    void shouldLetMlflowDeliverWebhooksToQuantGateOverPlainHttp() {
        JsonNode env = services.at("/mlflow/environment");
        assertEquals("http,https", env.get("MLFLOW_WEBHOOK_ALLOWED_SCHEMES").asText());
        assertEquals("true", env.get("MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS").asText());
        byte[] key = Base64.getUrlDecoder().decode(env.get("MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY").asText());
        assertEquals(32, key.length, "a Fernet key: 32 bytes, URL-safe base64");
        assertTrue(env.get("MLFLOW_SERVER_ALLOWED_HOSTS").asText().contains("mlflow:5000"));
    }

    @Test
    void shouldPointQuantGateAtTheComposePostgresAndMlflow() throws IOException {
        JsonNode quantgate = services.get("quantgate");
        JsonNode env = quantgate.get("environment");
        assertEquals("jdbc:postgresql://postgres:5432/quantgate", env.get("QUANTGATE_DB_URL").asText());
        // Flyway migrates as the database's owner; the service connects as the role init.sql creates
        assertEquals(services.at("/postgres/environment/POSTGRES_USER").asText(), env.get("QUANTGATE_DB_OWNER_USER").asText());
        assertEquals(services.at("/postgres/environment/POSTGRES_PASSWORD").asText(),
                env.get("QUANTGATE_DB_OWNER_PASSWORD").asText());
        assertEquals("quantgate_app", env.get("QUANTGATE_DB_USER").asText());
        assertTrue(Files.readString(Path.of("docker/postgres/init.sql")).contains("CREATE ROLE quantgate_app LOGIN NOSUPERUSER"
                + " NOCREATEDB NOCREATEROLE PASSWORD '" + env.get("QUANTGATE_DB_PASSWORD").asText() + "'"));
        assertEquals("http://mlflow:5000", env.get("QUANTGATE_MLFLOW_URL").asText());
        assertTrue(!env.get("QUANTGATE_WEBHOOK_SECRETS").asText().isBlank());
        assertTrue(env.get("QUANTGATE_ADMIN_TOKEN").asText().length() >= 32);
        assertEquals("8080:8080", quantgate.at("/ports/0").asText());
        assertEquals("service_healthy", quantgate.at("/depends_on/postgres/condition").asText());
        assertTrue(quantgate.at("/depends_on").has("mlflow"));
        Path dockerfile = Path.of(quantgate.at("/build/dockerfile").asText());
        assertTrue(Files.readString(dockerfile).contains("quarkus-run.jar"), dockerfile.toString());
    }

    @Test
    void shouldMountThePoliciesFolderIntoQuantGate() {
        JsonNode quantgate = services.get("quantgate");
        String dir = quantgate.at("/environment/QUANTGATE_POLICIES_DIR").asText();
        assertEquals("./policies:" + dir + ":ro", quantgate.at("/volumes/0").asText());
    }

    @Test
    void shouldRunAWorkerThatReachesQuantGateOnlyOverItsApi() {
        JsonNode worker = services.get("worker");
        JsonNode env = worker.get("environment");
        assertEquals("worker", env.get("QUANTGATE_ROLE").asText());
        assertEquals("http://quantgate:" + services.at("/quantgate/environment/QUANTGATE_PORT").asText(),
                env.get("QUANTGATE_SERVER_URL").asText());
        assertTrue(!env.get("QUANTGATE_WORKER_TOKEN").asText().isBlank());
        assertEquals(services.at("/quantgate/environment/QUANTGATE_MLFLOW_URL").asText(), env.get("QUANTGATE_MLFLOW_URL").asText());
        List<String> keys = new ArrayList<>();
        env.fieldNames().forEachRemaining(keys::add);
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("QUANTGATE_DB_")), "a worker never touches the database: " + keys);
        assertEquals(services.at("/quantgate/build/dockerfile").asText(), worker.at("/build/dockerfile").asText(), "one artifact");
        assertTrue(worker.at("/depends_on").has("quantgate"));
        assertTrue(worker.at("/ports").isMissingNode(), "workers serve no traffic");
    }

    @Test
    void shouldCreateTheMlflowDatabaseOnFirstStart() throws IOException {
        String mount = services.at("/postgres/volumes").toString();
        assertTrue(mount.contains("./docker/postgres/init.sql:/docker-entrypoint-initdb.d/"), mount);
        assertTrue(Files.readString(Path.of("docker/postgres/init.sql")).contains("CREATE DATABASE mlflow"));
    }

    @Test
    void shouldPassDockerComposeConfig() throws Exception {
        List<String> compose = commandWorks("docker", "compose", "version") ? List.of("docker", "compose")
                : commandWorks("docker-compose", "version") ? List.of("docker-compose") : List.of();
        assumeTrue(!compose.isEmpty(), "neither the docker compose plugin nor docker-compose is installed here;"
                + " the structure is checked by the other tests");
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-f", COMPOSE.toString(), "config", "--quiet"));
        Process config = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(config.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, config.exitValue(), "docker compose config: " + output);
    }

    private static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
