package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.quantgate.testing.FakeMlflow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a real MLflow server showed: uvicorn refusing HTTP/2 upgrades, and mlflow-client retrying every 404. */
class MlflowLiveFixesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private FakeMlflow fake;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (fake != null) {
            fake.stop();
        }
    }

    @Test
    void shouldSpeakHttp11ToAnMlflowThatRefusesTheH2cUpgrade() throws IOException {
        List<String> upgrades = new CopyOnWriteArrayList<>();
        String url = uvicornBefore019(upgrades);

        MlflowRegistryClient client = new MlflowRegistryClient(TestMlflowConfig.of(url), JSON);

        assertEquals(List.of("fixture-model"), client.searchRegisteredModels(10).stream().map(MlflowModel::name).toList());
        assertEquals(List.of(), upgrades, "no Upgrade header offered");
    }

    @Test
    void shouldBeRefusedAsUvicornRefusesWhenHttp2IsConfigured() throws IOException {
        List<String> upgrades = new CopyOnWriteArrayList<>();
        String url = uvicornBefore019(upgrades);
        MlflowConfig http2 = new DelegatingConfig(TestMlflowConfig.of(url), MlflowConfig.HttpVersion.HTTP_2);

        MlflowApiException refused = assertThrows(MlflowApiException.class,
                () -> new MlflowRegistryClient(http2, JSON).searchRegisteredModels(10));

        assertEquals(400, refused.status());
        assertTrue(refused.getMessage().contains("Unsupported upgrade request."), refused.getMessage());
        assertEquals(List.of("h2c"), upgrades, "the check this test relies on does catch the upgrade");
    }

    @Test
    void shouldAskMlflowOnceAboutAModelItDoesNotHave() {
        fake = new FakeMlflow();
        fake.start();
        MlflowRegistrySource source = new MlflowRegistrySource(
                new MlflowRegistryClient(TestMlflowConfig.of(fake.url()), JSON));

        assertEquals(Optional.empty(), source.model("example_model"));
        assertEquals(Optional.empty(), source.version("example_model", "1"));

        assertEquals(1, fake.requests("GET", "registered-models/get"), "a 404 is not retried (nor logged as a rate limit)");
        assertEquals(1, fake.requests("GET", "model-versions/get"));
    }

    /**
     * An HTTP server that answers as uvicorn before 0.19 does: 400 "Unsupported upgrade request." to any
     * request offering an upgrade, MLflow's recorded model search otherwise.
     */
    private String uvicornBefore019(List<String> upgrades) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] search = dev.quantgate.testing.MlflowFixtures.rest("registered-models-search").responseBodyRaw()
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
            byte[] body = upgrade == null ? search : "Unsupported upgrade request.".getBytes(StandardCharsets.UTF_8);
            if (upgrade != null) {
                upgrades.add(upgrade);
            }
            exchange.getResponseHeaders().add("Content-Type", upgrade == null ? "application/json" : "text/plain");
            exchange.sendResponseHeaders(upgrade == null ? 200 : 400, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private record DelegatingConfig(TestMlflowConfig base, HttpVersion version) implements MlflowConfig {
        @Override public java.util.Optional<String> url() { return base.url(); }
        @Override public AuthMode auth() { return base.auth(); }
        @Override public java.util.Optional<String> username() { return base.username(); }
        @Override public java.util.Optional<String> password() { return base.password(); }
        @Override public java.util.Optional<String> token() { return base.token(); }
        @Override public Duration connectTimeout() { return base.connectTimeout(); }
        @Override public Duration readTimeout() { return base.readTimeout(); }
        @Override public HttpVersion httpVersion() { return version; }
        @Override public Duration pollInterval() { return base.pollInterval(); }
        @Override public int pollPageSize() { return base.pollPageSize(); }
        @Override public Outbox outbox() { return base.outbox(); }
    }
}
