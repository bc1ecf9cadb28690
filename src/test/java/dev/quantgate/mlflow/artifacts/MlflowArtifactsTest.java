package dev.quantgate.mlflow.artifacts;

import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.FakeTracking;
import dev.quantgate.testing.MlflowFixtures;
import dev.quantgate.testing.TestTokens;
import dev.quantgate.worker.ArtifactException;
import dev.quantgate.worker.ArtifactCache;
import dev.quantgate.worker.ArtifactPort;
import dev.quantgate.worker.CachedArtifacts;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's artifact port on the fake MLflow, built by hand as the worker process builds it. */
@QuarkusTest
class MlflowArtifactsTest {

    private static final byte[] MLMODEL = MlflowFixtures.rest("mlflow3/lm-artifacts-download-MLmodel").responseBody()
            .asText().getBytes(StandardCharsets.UTF_8);
    private static final byte[] ONNX = "not really onnx, but bytes".getBytes(StandardCharsets.UTF_8);

    @Inject
    ArtifactPort serverPort;

    @TempDir
    Path temp;

    FakeMlflow fake;
    MlflowArtifacts artifacts;
    String model;

    @BeforeEach
    void setUp() {
        fake = FakeMlflow.get();
        fake.reset();
        model = "artifacts-" + TestTokens.shortId();
        fake.model(model);
        artifacts = new MlflowArtifacts(fake.url(), null, Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @Test
    void shouldResolveALoggedModelSourceToItsArtifactFolder() throws Exception {
        FakeTracking.RunState run = fake.createRun("training", "mlp");
        FakeTracking.LoggedModel logged = fake.logModel(run, "model");
        FakeMlflow.VersionState v = fake.createVersionFrom(model, "models:/" + logged.id(), run.id);

        String directory = artifacts.resolveModelDirectory(model, Integer.toString(v.version), v.source, run.id);

        assertEquals(logged.artifactUri(), directory);
        assertEquals(1, fake.requests("GET", "logged-models/" + logged.id()));
        assertNotNull(serverPort, "the server has the same port as a bean");
    }

    @Test
    void shouldFindTheRunsLoggedModelWhenTheRunsModelFolderIsEmpty() throws Exception {
        FakeTracking.RunState run = fake.createRun("training", "mlp-seed8");
        FakeTracking.LoggedModel logged = fake.logModel(run, "model");
        fake.putArtifact(logged.artifactUri() + "/MLmodel", MLMODEL);
        FakeMlflow.VersionState v = fake.createVersionFrom(model, "runs:/" + run.id + "/model", run.id);

        String directory = artifacts.resolveModelDirectory(model, Integer.toString(v.version), v.source, run.id);

        assertEquals(logged.artifactUri(), directory);
        assertEquals(0, fake.server().findAll(RequestPatternBuilder.newRequestPattern(RequestMethod.GET,
                urlPathMatching("/api/2\\.0/mlflow-artifacts/artifacts/.+"))).size(), "no download of the empty folder");
        assertEquals(1, fake.requests("POST", "logged-models/search"));
    }

    @Test
    void shouldResolveARunsSourceWithFilesToTheRunsFolder() throws Exception {
        FakeTracking.RunState run = fake.createRun("training", "old-style");
        fake.putArtifact(run.artifactUri() + "/model/MLmodel", MLMODEL);
        FakeMlflow.VersionState v = fake.createVersionFrom(model, "runs:/" + run.id + "/model", run.id);

        assertEquals(run.artifactUri() + "/model",
                artifacts.resolveModelDirectory(model, Integer.toString(v.version), v.source, run.id));
    }

    @Test
    void shouldDownloadAFolderWithItsManifestHash() throws Exception {
        FakeTracking.RunState run = fake.createRun("training", "mlp");
        String root = run.artifactUri() + "/model";
        fake.putArtifact(root + "/MLmodel", MLMODEL);
        fake.putArtifact(root + "/model.onnx", ONNX);
        fake.putArtifact(root + "/data/weights.bin", new byte[]{1, 2, 3});

        ArtifactPort.Download download = artifacts.downloadDirectory("runs:/" + run.id + "/model", temp.resolve("m"),
                10_000);

        assertEquals(3, download.files());
        assertEquals(MLMODEL.length + ONNX.length + 3L, download.bytes());
        String manifest = "MLmodel\t" + sha256(MLMODEL) + "\n" + "data/weights.bin\t" + sha256(new byte[]{1, 2, 3}) + "\n"
                + "model.onnx\t" + sha256(ONNX) + "\n";
        assertEquals(sha256(manifest.getBytes(StandardCharsets.UTF_8)), download.sha256());
        assertArrayEquals(ONNX, Files.readAllBytes(temp.resolve("m/model.onnx")));
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(temp.resolve("m/data/weights.bin")));
    }

    @Test
    void shouldListSizesAndLetTheCacheAnswerASecondJobWithoutReadingArtifactBytes() throws Exception {
        FakeTracking.RunState run = fake.createRun("training", "mlp");
        String root = run.artifactUri() + "/model";
        fake.putArtifact(root + "/MLmodel", MLMODEL);
        fake.putArtifact(root + "/data/weights.bin", new byte[]{1, 2, 3});
        byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        fake.putArtifact(run.artifactUri() + "/eval/eval.csv", csv);
        String datasetUri = "runs:/" + run.id + "/eval/eval.csv";
        assertEquals(Map.of("MLmodel", (long) MLMODEL.length, "data/weights.bin", 3L), artifacts.list(root).orElseThrow());
        assertEquals(csv.length, artifacts.listedSize(datasetUri).orElseThrow());

        ArtifactPort cached = CachedArtifacts.over(artifacts, ArtifactCache.open(temp.resolve("cache"), 1 << 20));
        ArtifactPort.Download first = cached.downloadDirectory(root, temp.resolve("job1/source"), 10_000);
        ArtifactPort.Download firstCsv = cached.downloadFile(datasetUri, temp.resolve("job1/eval.csv"), 10_000);
        RequestPatternBuilder downloads = RequestPatternBuilder.newRequestPattern(RequestMethod.GET,
                urlPathMatching("/api/2\\.0/mlflow-artifacts/artifacts/.+"));
        int afterFirst = fake.server().findAll(downloads).size();
        ArtifactPort.Download second = cached.downloadDirectory(root, temp.resolve("job2/source"), 10_000);
        ArtifactPort.Download secondCsv = cached.downloadFile(datasetUri, temp.resolve("job2/eval.csv"), 10_000);

        assertEquals(3, afterFirst, "the first job downloads every file");
        assertEquals(afterFirst, fake.server().findAll(downloads).size(), "the second job reads no artifact bytes");
        assertEquals(first, second);
        assertEquals(firstCsv, secondCsv);
        assertEquals(sha256(csv), secondCsv.sha256());
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(temp.resolve("job2/source/data/weights.bin")));
    }

    @Test
    void shouldDownloadOneFileWithItsHash() throws Exception {
        FakeTracking.RunState run = fake.createRun("training", "mlp");
        fake.putArtifact(run.artifactUri() + "/eval/eval.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));

        ArtifactPort.Download download = artifacts.downloadFile("runs:/" + run.id + "/eval/eval.csv",
                temp.resolve("eval.csv"), 1000);

        assertEquals(new ArtifactPort.Download(8, 1, sha256("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))), download);
    }

    @Test
    void shouldRefuseAnArtifactOverTheLimitAndLeaveNoPartialFile() {
        FakeTracking.RunState run = fake.createRun("training", "mlp");
        fake.putArtifact(run.artifactUri() + "/model/model.onnx", new byte[100_000]);
        Path target = temp.resolve("big.onnx");

        ArtifactException tooBig = assertThrows(ArtifactException.class, () -> artifacts.downloadFile(
                run.artifactUri() + "/model/model.onnx", target, 99_999));
        ArtifactException folderTooBig = assertThrows(ArtifactException.class, () -> artifacts.downloadDirectory(
                run.artifactUri() + "/model", temp.resolve("dir"), 99_999));

        assertFalse(tooBig.retryable());
        assertTrue(tooBig.getMessage().contains("size limit of 99999 bytes"), tooBig.getMessage());
        assertFalse(Files.exists(target), "the partial file is deleted");
        assertTrue(folderTooBig.getMessage().contains("99999"), folderTooBig.getMessage());
        assertFalse(Files.exists(temp.resolve("dir/model.onnx")));
    }

    @Test
    void shouldTellAMissingArtifactFromAnOutage() {
        FakeTracking.RunState run = fake.createRun("training", "mlp");
        String missing = run.artifactUri() + "/model/does-not-exist.txt";

        ArtifactException gone = assertThrows(ArtifactException.class,
                () -> artifacts.downloadFile(missing, temp.resolve("x"), 100));
        fake.down();
        ArtifactException down = assertThrows(ArtifactException.class,
                () -> artifacts.downloadFile(missing, temp.resolve("x"), 100));
        fake.up();

        assertFalse(gone.retryable(), "MLflow's 500 INTERNAL_ERROR for a missing file is not retried");
        assertTrue(gone.getMessage().contains("No such file or directory"), gone.getMessage());
        assertTrue(down.retryable());
    }

    @Test
    void shouldRefuseListedNamesThatLeaveTheFolder() {
        fake.server().stubFor(get(urlPathEqualTo(FakeTracking.PROXY)).atPriority(1).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody("{\"files\": [{\"path\": \"../../etc/cron.d/evil\", \"is_dir\": false, \"file_size\": 1}]}")));

        ArtifactException refused = assertThrows(ArtifactException.class,
                () -> artifacts.downloadDirectory("mlflow-artifacts:/1/run/artifacts/model", temp.resolve("t"), 100));

        assertFalse(refused.retryable());
        assertTrue(refused.getMessage().contains("'..'"), refused.getMessage());
    }

    @Test
    void shouldUploadAFolderUnderTheRunAndReadItBack() throws Exception {
        FakeTracking.RunState run = fake.createRun("quantgate", "variant");
        Path variant = Files.createDirectories(temp.resolve("variant"));
        Files.write(variant.resolve("MLmodel"), MLMODEL);
        Files.write(variant.resolve("model.onnx"), ONNX);

        artifacts.uploadDirectory(variant, "runs:/" + run.id + "/model");
        ArtifactPort.Download back = artifacts.downloadDirectory(run.artifactUri() + "/model", temp.resolve("back"), 10_000);

        assertArrayEquals(ONNX, fake.artifact(run.artifactUri() + "/model/model.onnx"));
        assertArrayEquals(MLMODEL, fake.artifact(run.artifactUri() + "/model/MLmodel"));
        assertEquals(2, back.files());
        assertArrayEquals(MLMODEL, Files.readAllBytes(temp.resolve("back/MLmodel")));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
