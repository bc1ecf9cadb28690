package dev.quantgate.worker;

import dev.quantgate.evaluation.benchmark.BenchmarkOptions;
import dev.quantgate.evaluation.benchmark.BenchmarkRows;
import dev.quantgate.evaluation.benchmark.HardwareDescriptor;
import dev.quantgate.evaluation.dataset.CsvReader;
import dev.quantgate.evaluation.dataset.ModelSignature;
import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.quantize.external.ExternalModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Adult MLP through every scheme: a variant uploaded as an MLflow model, evidence equal to a direct evaluation. */
class JobExecutorAdultTest {

    @TempDir
    static Path store;

    private static Path source;
    private static Path dataset;
    private static Path calibration;
    private static final AtomicLong IDS = new AtomicLong();
    private final LocalArtifactPort artifacts = new LocalArtifactPort();
    private final JobExecutor executor = new JobExecutor(WorkerFixtures.WORKER, WorkerFixtures.SETTINGS);

    @BeforeAll
    static void logModel() throws IOException {
        source = WorkerFixtures.modelDir(store.resolve("models/adult/1"), WorkerFixtures.model(),
                WorkerFixtures.featureColumns());
        dataset = store.resolve("datasets/eval.csv");
        WorkerFixtures.writeCsv(dataset, 0, WorkerFixtures.EVAL_ROWS);
        calibration = store.resolve("datasets/calib.csv");
        WorkerFixtures.writeCsv(calibration, WorkerFixtures.EVAL_ROWS,
                WorkerFixtures.EVAL_ROWS + WorkerFixtures.CALIBRATION_ROWS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"int8-dynamic", "int8-static", "fp16", "int4-weight-only"})
    void shouldProduceUploadAndEvidenceEveryScheme(String scheme) throws Exception {
        JobAssignment job = WorkerFixtures.job(IDS.incrementAndGet(), "{\"scheme\":\"" + scheme + "\"}", source, dataset,
                calibration, store.resolve("runs"));
        List<Progress> progress = new ArrayList<>();
        Path work = Files.createDirectories(store.resolve("work-" + job.jobId()));
        JobOutcome outcome = executor.execute(job, artifacts, work, progress::add);

        JobOutcome.Succeeded ok = assertInstanceOf(JobOutcome.Succeeded.class, outcome, outcome.toString());
        assertEquals("runs:/" + job.runId() + "/model", ok.variantSource());
        Map<String, Object> evidence = ok.evidence();
        assertEquals("quantgate.evidence/v1", evidence.get("schema"));
        assertEquals(scheme, evidence.get("scheme"));
        assertEquals(job.specSha256(), evidence.get("spec_sha256"));
        assertNotNull(Jcs.write(evidence), "the evidence is RFC 8785 JSON (no NaN, no primitive arrays)");
        assertEquals(Map.of("name", "credit-scoring", "sha256", job.policySha256(), "evaluation_sha256",
                job.evaluationSha256()), evidence.get("policy"));
        assertEquals(List.of("DOWNLOADING", "QUANTIZING", "BENCHMARKING", "EVALUATING", "UPLOADING"),
                progress.stream().map(p -> p.stage().name()).distinct().toList());

        Path run = WorkerFixtures.runDir(job);
        for (String f : List.of("model/MLmodel", "model/model.onnx", "model/conda.yaml", "evaluation.json", "evaluation.md")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " uploaded");
        }
        ModelSignature signature = ModelSignature.read(run.resolve("model/MLmodel"));
        assertEquals(WorkerFixtures.featureColumns(), signature.columnNames(), "the source's signature kept");
        assertEquals("model.onnx", signature.onnxFile().orElseThrow());
        @SuppressWarnings("unchecked")
        Map<String, Object> variantArtifact = (Map<String, Object>) evidence.get("variant_artifact");
        assertEquals(job.runArtifactUri() + "/model", variantArtifact.get("uri"));
        assertEquals(DirectoryManifest.of(run.resolve("model")).sha256(), variantArtifact.get("sha256"));

        if (scheme.equals("int8-static")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> cal = (Map<String, Object>) evidence.get("calibration");
            assertEquals((long) WorkerFixtures.CALIBRATION_ROWS, cal.get("rows"));
            assertEquals(DirectoryManifest.sha256(calibration), cal.get("sha256"));
        } else {
            assertNull(evidence.get("calibration"));
        }
        WorkerFixtures.assertEvaluationEqualsDirectCall(evidence, source.resolve("model.onnx"), run.resolve("model/model.onnx"),
                dataset, scheme.equals("int8-static") ? calibration : null);

        assertBenchmarkRanOnTheFirstEvaluationRows(evidence);
        @SuppressWarnings("unchecked")
        List<String> notes = (List<String>) evidence.get("notes");
        boolean saturating = HardwareDescriptor.detect("CPUExecutionProvider").saturatingIntegerKernels();
        assertEquals(scheme.startsWith("int8") && saturating, notes.contains(JobExecutor.SATURATING_NOTE),
                "the int8 note where the integer kernels saturate (here: " + saturating + "): " + notes);

        Map<String, Double> metrics = ok.runMetrics();
        for (String m : List.of("size_bytes_source", "size_bytes_variant", "size_ratio", "latency_p50_ratio",
                "accuracy_source", "accuracy_variant", "accuracy_delta", "worst_group_accuracy_drop", "flip_rate",
                "fairness_delta.sex.equalized_odds_difference")) {
            assertTrue(metrics.containsKey(m) && Double.isFinite(metrics.get(m)), m + " in " + metrics);
        }
        assertTrue(metrics.get("accuracy_source") > 0.8, "the MLP learned something: " + metrics);
        assertTrue(metrics.containsKey("fairness_delta.sex_race.equalized_odds_difference"), metrics.toString());
        assertTrue(metrics.keySet().stream().allMatch(k -> k.matches("[A-Za-z0-9_\\-./ ]+")),
                "MLflow metric names: " + metrics.keySet());
        assertEquals(scheme, ok.runParams().get("scheme"));
    }

    /** The benchmark's inputs are the evaluation set's first rows, features in signature order, as read here. */
    private static void assertBenchmarkRanOnTheFirstEvaluationRows(Map<String, Object> evidence) throws IOException {
        BenchmarkOptions o = WorkerFixtures.SETTINGS.benchmark();
        int expectedRows = Math.max(o.latencyRuns(), o.throughputBatch() * o.throughputRuns());
        List<String> features = WorkerFixtures.featureColumns();
        float[] values = new float[expectedRows * features.size()];
        try (CsvReader in = new CsvReader(Files.newBufferedReader(dataset), "eval.csv")) {
            for (int r = 0; r < expectedRows; r++) {
                String[] row = in.next();
                for (int j = 0; j < features.size(); j++) {
                    values[r * features.size() + j] = Float.parseFloat(row[in.indexOf(features.get(j))]);
                }
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> inputs = (Map<String, Object>) ((Map<String, Object>) evidence.get("benchmark")).get("inputs");
        assertEquals("evaluation_rows", inputs.get("kind"), inputs.toString());
        assertEquals(expectedRows, ((Number) inputs.get("rows")).intValue());
        assertEquals(new BenchmarkRows("any", features.size(), values, "here").sha256(), inputs.get("sha256"));
        assertTrue(((String) inputs.get("description")).startsWith("the first " + expectedRows
                + " rows of the evaluation set eval.csv"), inputs.toString());
    }

    @Test
    void shouldGiveTheSameEvaluationOnARerunAndNameNoWorkerPath() throws Exception {
        List<Map<String, Object>> evaluations = new ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            JobAssignment job = WorkerFixtures.job(IDS.incrementAndGet(), "{\"scheme\":\"int8-static\"}", source,
                    dataset, calibration, store.resolve("runs"));
            Path work = Files.createDirectories(store.resolve("work-rerun-" + attempt));
            JobOutcome.Succeeded ok = assertInstanceOf(JobOutcome.Succeeded.class,
                    executor.execute(job, artifacts, work, p -> { }));
            String json = Jcs.write(ok.evidence());
            assertFalse(json.contains(work.toString()), "the evidence names no work directory path");
            @SuppressWarnings("unchecked")
            Map<String, Object> evaluation = (Map<String, Object>) ok.evidence().get("evaluation");
            evaluations.add(evaluation);
        }
        assertEquals(evaluations.get(0), evaluations.get(1), "seeded: the same figures, options and hashes");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReadNoArtifactBytesForASecondJobOnTheSameSourceAndRecordTheSameHashes() throws Exception {
        LocalArtifactPort counted = new LocalArtifactPort();
        ArtifactPort port = CachedArtifacts.over(counted, ArtifactCache.open(store.resolve("cache"), 1L << 30));
        List<Map<String, Object>> evidence = new ArrayList<>();
        List<Integer> downloads = new ArrayList<>();
        for (String scheme : List.of("int8-dynamic", "fp16")) {
            JobAssignment job = WorkerFixtures.job(IDS.incrementAndGet(), "{\"scheme\":\"" + scheme + "\"}", source,
                    dataset, null, store.resolve("runs"));
            Path work = Files.createDirectories(store.resolve("work-cached-" + scheme));
            JobOutcome outcome = executor.execute(job, port, work, p -> { });
            evidence.add(assertInstanceOf(JobOutcome.Succeeded.class, outcome, outcome.toString()).evidence());
            downloads.add(counted.downloads.get());
            DirectoryManifest.deleteTree(work);
        }

        assertEquals(List.of(2, 2), downloads, "the first job downloads the model and the dataset, the second nothing");
        Map<String, Object> first = (Map<String, Object>) evidence.get(0).get("source_artifact");
        Map<String, Object> second = (Map<String, Object>) evidence.get(1).get("source_artifact");
        assertEquals(first, second, "the same source URI, hash, files and size");
        assertEquals(DirectoryManifest.of(source).sha256(), second.get("sha256"));
        Map<String, Object> firstData = (Map<String, Object>) evidence.get(0).get("dataset");
        Map<String, Object> secondData = (Map<String, Object>) evidence.get(1).get("dataset");
        assertEquals(firstData, secondData);
        assertEquals(DirectoryManifest.sha256(dataset), secondData.get("sha256"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldSayInTheEvidenceWhenAGpuJobRanOnACpuByFallback() throws Exception {
        JobAssignment job = WorkerFixtures.onCpuFallback(WorkerFixtures.job(IDS.incrementAndGet(),
                "{\"scheme\":\"fp16\"}", source, dataset, null, store.resolve("runs")));
        JobOutcome outcome = executor.execute(job, artifacts, Files.createDirectories(store.resolve("work-fallback")),
                p -> { });

        JobOutcome.Succeeded ok = assertInstanceOf(JobOutcome.Succeeded.class, outcome, outcome.toString());
        Map<String, Object> worker = (Map<String, Object>) ok.evidence().get("worker");
        assertEquals(true, worker.get("fallback"), worker.toString());
        assertEquals("cpu", worker.get("kind"), "the worker that ran it: " + worker);
    }

    @Test
    void shouldKeepExternalDataAsMlflowSavesIt() throws Exception {
        Path dir = Files.createDirectories(store.resolve("models/adult-external/1"));
        ExternalModels.saveLikeMlflow(WorkerFixtures.model(), dir);
        WorkerFixtures.finishModelDir(dir, WorkerFixtures.featureColumns());
        JobAssignment job = WorkerFixtures.job(IDS.incrementAndGet(), "{\"scheme\":\"int8-dynamic\"}", dir, dataset,
                null, store.resolve("runs"));
        JobOutcome outcome = executor.execute(job, artifacts, Files.createDirectories(store.resolve("work-ext")), p -> { });

        JobOutcome.Succeeded ok = assertInstanceOf(JobOutcome.Succeeded.class, outcome, outcome.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> output = (Map<String, Object>) ((Map<String, Object>) ok.evidence().get("quantization"))
                .get("output");
        assertEquals(true, output.get("external_data"));
        @SuppressWarnings("unchecked")
        Map<String, Object> files = (Map<String, Object>) ((Map<String, Object>) ok.evidence().get("variant_artifact"))
                .get("files");
        List<String> sidecars = files.keySet().stream().filter(f -> f.endsWith(".data")).toList();
        assertEquals(1, sidecars.size(), files.toString());
        assertTrue(Files.isRegularFile(WorkerFixtures.runDir(job).resolve("model").resolve(sidecars.get(0))));
        @SuppressWarnings("unchecked")
        Map<String, Object> sourceFiles = (Map<String, Object>) ((Map<String, Object>) ok.evidence()
                .get("source_artifact")).get("files");
        assertTrue(sourceFiles.keySet().stream().anyMatch(f -> !f.contains(".") && !f.equals("MLmodel")),
                "the source's UUID-named sidecar was downloaded: " + sourceFiles.keySet());
        assertFalse(ok.runMetrics().isEmpty());
    }
}
