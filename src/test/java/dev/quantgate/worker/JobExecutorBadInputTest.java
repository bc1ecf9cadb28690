package dev.quantgate.worker;

import dev.quantgate.quantize.NotApplicableTest;
import dev.quantgate.quantize.OutputOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input ends a job with a clear, permanent reason and nothing uploaded; an outage with a retryable one. */
class JobExecutorBadInputTest {

    @TempDir
    static Path store;

    private static Path adult;
    private static Path dataset;
    private static final AtomicLong IDS = new AtomicLong(100);
    private final LocalArtifactPort artifacts = new LocalArtifactPort();

    @BeforeAll
    static void logModel() throws IOException {
        adult = WorkerFixtures.modelDir(store.resolve("models/adult/1"), WorkerFixtures.model(),
                WorkerFixtures.featureColumns());
        dataset = store.resolve("datasets/eval.csv");
        WorkerFixtures.writeCsv(dataset, 0, 400);
    }

    private JobOutcome run(Path source, Path data, String scheme, JobExecutor.Settings settings) throws IOException {
        JobAssignment job = WorkerFixtures.job(IDS.incrementAndGet(), "{\"scheme\":\"" + scheme + "\"}", source, data,
                null, store.resolve("runs"));
        Path work = Files.createDirectories(store.resolve("work-" + job.jobId()));
        JobOutcome outcome = new JobExecutor(WorkerFixtures.WORKER, settings).execute(job, artifacts, work, p -> { });
        assertFalse(Files.exists(WorkerFixtures.runDir(job)), "nothing uploaded for " + outcome);
        return outcome;
    }

    private JobOutcome run(Path source, Path data) throws IOException {
        return run(source, data, "int8-dynamic", WorkerFixtures.SETTINGS);
    }

    private static void assertFailed(JobOutcome outcome, String code, boolean permanent, String inMessage) {
        JobOutcome.Failed f = assertInstanceOf(JobOutcome.Failed.class, outcome, outcome.toString());
        assertEquals(code, f.code(), f.toString());
        assertEquals(permanent, f.permanent(), f.toString());
        assertTrue(f.message().contains(inMessage), f.message());
        assertFalse(f.message().contains("\tat "), "no stack trace: " + f.message());
    }

    @Test
    void shouldAnswerNotApplicableForATreeEnsembleWithoutUploadingAVariant() throws IOException {
        Path dir = WorkerFixtures.modelDir(store.resolve("models/trees/1"), NotApplicableTest.treeEnsemble(), null);
        JobOutcome outcome = run(dir, dataset);
        JobOutcome.NotApplicable na = assertInstanceOf(JobOutcome.NotApplicable.class, outcome, outcome.toString());
        assertTrue(na.reason().contains("TreeEnsembleClassifier"), na.reason());
        assertEquals(List.of("TreeEnsembleClassifier (ai.onnx.ml)"), na.details().get("operators"));
    }

    @Test
    void shouldRefuseADirectoryWithoutMlmodel() throws IOException {
        Path dir = Files.createDirectories(store.resolve("models/bare/1"));
        Files.write(dir.resolve("model.onnx"), WorkerFixtures.model().toByteArray());
        assertFailed(run(dir, dataset), "missing_mlmodel", true, "no MLmodel");
    }

    @Test
    void shouldRefuseAnotherFlavorNamingIt() throws IOException {
        Path dir = Files.createDirectories(store.resolve("models/sk/1"));
        Files.writeString(dir.resolve("MLmodel"), WorkerFixtures.mlmodel("sklearn", "model.pkl", null));
        Files.write(dir.resolve("model.pkl"), new byte[] {1, 2, 3});
        assertFailed(run(dir, dataset), "unsupported_flavor:sklearn", true, "onnx flavor only");
    }

    @Test
    void shouldNameTheMissingDatasetTag() throws IOException {
        assertFailed(run(adult, null), "dataset_missing", true, "quantgate.eval_dataset");
    }

    @Test
    void shouldRefuseADatasetThatDoesNotMatchTheSignature() throws IOException {
        List<String> lines = Files.readAllLines(dataset);
        Path renamed = store.resolve("datasets/renamed.csv");
        Files.writeString(renamed, lines.get(0).replaceFirst("^f0,", "feature0,") + "\n"
                + String.join("\n", lines.subList(1, lines.size())) + "\n");
        assertFailed(run(adult, renamed), "dataset_columns", true, "the model's signature names [f0]");
    }

    @Test
    void shouldRefuseADatasetWithoutThePolicysSensitiveColumn() throws IOException {
        List<String> lines = Files.readAllLines(dataset);
        Path renamed = store.resolve("datasets/nosex.csv");
        Files.writeString(renamed, lines.get(0).replace(",sex,", ",gender,") + "\n"
                + String.join("\n", lines.subList(1, lines.size())) + "\n");
        assertFailed(run(adult, renamed), "dataset_columns", true, "evaluation.sensitive names [sex]");
    }

    @Test
    void shouldRefuseCorruptAndTruncatedModels() throws IOException {
        Path garbage = WorkerFixtures.finishModelDir(Files.createDirectories(store.resolve("models/garbage/1")), null);
        Files.write(garbage.resolve("model.onnx"), "this is not a model".repeat(50).getBytes());
        assertFailed(run(garbage, dataset), "corrupt_model", true, "cannot be read as ONNX");

        byte[] real = WorkerFixtures.model().toByteArray();
        Path truncated = WorkerFixtures.finishModelDir(Files.createDirectories(store.resolve("models/truncated/1")), null);
        Files.write(truncated.resolve("model.onnx"), Arrays.copyOf(real, real.length / 2));
        assertFailed(run(truncated, dataset), "corrupt_model", true, "model.onnx");
    }

    @Test
    void shouldRefuseAnArtifactOverTheSizeLimit() throws IOException {
        JobExecutor.Settings tight = new JobExecutor.Settings(8_000, WorkerFixtures.QUICK_BENCHMARK, 1,
                OutputOptions.DEFAULTS);
        assertFailed(run(adult, dataset, "int8-dynamic", tight), "artifact_invalid", true, "over the size limit");
    }

    @Test
    void shouldAnswerAnOutageAsRetryable() throws IOException {
        artifacts.unreachable.set(true);
        assertFailed(run(adult, dataset), "artifact_unavailable", false, "503");
    }

    @Test
    void shouldNameTheMissingCalibrationSet() throws IOException {
        assertFailed(run(adult, dataset, "int8-static", WorkerFixtures.SETTINGS), "calibration_missing", true,
                "quantgate.calibration_dataset");
    }

    @Test
    void shouldRefuseAnInvalidSpec() throws IOException {
        assertFailed(run(adult, dataset, "int3-magic", WorkerFixtures.SETTINGS), "bad_spec", true, "int3-magic");
    }
}
