package dev.quantgate.mlflow.artifacts;

import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.MlflowFixtures;
import dev.quantgate.worker.ArtifactPort;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The MLflow 3 logged model exactly as recorded ({@code rest/mlflow3/lm-*}): resolved from its {@code models:/m-...}
 * source, listed and downloaded through the artifact proxy, the external-data file's hash as recorded.
 */
@QuarkusTest
class RecordedLoggedModelTest {

    private static final List<String> FILES = List.of("MLmodel", "conda.yaml", "external-data", "input_example.json",
            "model.onnx", "python_env.yaml", "requirements.txt", "serving_input_example.json");

    @TempDir
    Path temp;

    FakeMlflow fake;

    @BeforeEach
    void replayRecording() {
        fake = FakeMlflow.get();
        fake.reset();
        fake.replay("mlflow3/lm-logged-models-get");
        fake.replay("mlflow3/lm-artifacts-list-proxy-logged-model-for-download");
        for (String file : FILES) {
            MlflowFixtures.Exchange e = MlflowFixtures.rest("mlflow3/lm-artifacts-download-" + file + ".json");
            // binary answers are stored base64 in the recording (see its note)
            byte[] body = e.responseContentType().startsWith("application/octet-stream")
                    ? Base64.getDecoder().decode(e.responseBodyRaw()) : e.responseBodyRaw().getBytes(StandardCharsets.UTF_8);
            fake.server().stubFor(get(urlPathEqualTo(e.path())).atPriority(2).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", e.responseContentType()).withBody(body)));
        }
    }

    @Test
    void shouldDownloadTheRecordedLoggedModelWithItsExternalData() throws Exception {
        MlflowArtifacts artifacts = new MlflowArtifacts(fake.url(), null, Duration.ofSeconds(2), Duration.ofSeconds(5));
        String source = MlflowFixtures.rest("mlflow3/lm-model-versions-get").responseBody().path("model_version")
                .path("source").asText();

        String directory = artifacts.resolveModelDirectory("credit-scorer", "1", source, "fa8def80b68644ccbbf034a1a3a69faf");
        ArtifactPort.Download download = artifacts.downloadDirectory(directory, temp, 1_000_000);

        assertEquals("mlflow-artifacts:/1/models/m-d74cc1cad5b74aa58be00acd4124ef6a/artifacts", directory);
        assertEquals(8, download.files());
        assertEquals(3072 + 1122 + 151 + 767 + 902 + 122 + 46 + 1127, download.bytes(), "the listed sizes");
        byte[] external = Files.readAllBytes(temp.resolve("362e33ac-edd0-11f1-ae25-02fc00000001"));
        assertEquals("59990267453b9a3218c73b59c798fbece15dd71cf5cc834ddf2e040be421bbd8",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(external)), "as the recording notes");
    }
}
