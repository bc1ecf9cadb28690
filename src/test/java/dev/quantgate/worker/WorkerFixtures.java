package dev.quantgate.worker;

import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.kernel.json.Jcs;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.evaluation.benchmark.BenchmarkOptions;
import dev.quantgate.policy.model.Calibration;
import dev.quantgate.policy.model.DatasetRef;
import dev.quantgate.policy.model.Evaluation;
import dev.quantgate.quantize.OutputOptions;
import dev.quantgate.quantize.TinyModels;
import dev.quantgate.quantize.mlp.AdultMlp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The worker tests' inputs: the Adult MLP trained here on UCI Adult (with a sigmoid so that it answers the
 * positive-class probability), its evaluation and calibration sets as CSV, MLflow model directories as
 * {@code mlflow.onnx.log_model} writes them, and job assignments pointing at them through {@code file:} URIs.
 */
final class WorkerFixtures {

    static final int TRAIN_ROWS = 32_561;
    static final int EVAL_ROWS = 3000;
    static final int CALIBRATION_ROWS = 512;
    static final BenchmarkOptions QUICK_BENCHMARK = new BenchmarkOptions(2, 20, 64, 4, 1, Map.of(), 16, 7);
    static final JobExecutor.Settings SETTINGS = new JobExecutor.Settings(64L << 20, QUICK_BENCHMARK, 1,
            OutputOptions.DEFAULTS);
    static final WorkerInfo WORKER = new WorkerInfo("test-worker-1", "cpu", Map.of());

    private static AdultMlp mlp;
    private static List<String[]> testSplitRaw;
    private static List<String[]> allRaw;

    private WorkerFixtures() {
    }

    static synchronized AdultMlp mlp() {
        if (mlp == null) {
            try {
                Path csv = adultCsv();
                AdultMlp m = AdultMlp.load(csv);
                m.train(2, 17);
                List<String[]> raw = new ArrayList<>();
                List<String> lines = Files.readAllLines(csv);
                for (String line : lines.subList(1, lines.size())) {
                    if (!line.isBlank()) {
                        raw.add(line.split(",", -1));
                    }
                }
                allRaw = raw;
                testSplitRaw = raw.subList(TRAIN_ROWS, raw.size());
                mlp = m;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mlp;
    }

    static Path adultCsv() {
        return Path.of(System.getProperty("quantgate.shared.dir", "../shared"), "datasets", "adult", "adult.csv");
    }

    /** The MLP: x [N, F] → logit → Sigmoid → probability [N, 1]. */
    static ModelProto model() {
        ModelProto m = mlp().toOnnx();
        ModelProto.Builder b = m.toBuilder();
        b.getGraphBuilder().clearOutput()
                .addNode(TinyModels.node("Sigmoid", "probability", List.of("logit"), "probability"))
                .addOutput(TinyModels.input("probability", TensorProto.DataType.FLOAT_VALUE, -1, 1));
        return b.build();
    }

    static List<String> featureColumns() {
        return IntStream.range(0, mlp().features()).mapToObj(i -> "f" + i).toList();
    }

    /** Test-split rows [from, to) as CSV: the encoded features f0..fN, then sex, race and income. */
    static void writeCsv(Path file, int from, int to) throws IOException {
        AdultMlp m = mlp();
        writeRows(file, m.testRows(), m.testLabels(), testSplitRaw, from, to);
    }

    /** Every one of Adult's 48,842 rows (train split first), encoded as {@link #writeCsv} writes them. */
    static void writeAllRows(Path file) throws IOException {
        AdultMlp m = mlp();
        float[][] x = new float[m.trainRows().length + m.testRows().length][];
        int[] y = new int[x.length];
        System.arraycopy(m.trainRows(), 0, x, 0, m.trainRows().length);
        System.arraycopy(m.testRows(), 0, x, m.trainRows().length, m.testRows().length);
        System.arraycopy(m.trainLabels(), 0, y, 0, m.trainRows().length);
        System.arraycopy(m.testLabels(), 0, y, m.trainRows().length, m.testRows().length);
        writeRows(file, x, y, allRaw, 0, x.length);
    }

    private static void writeRows(Path file, float[][] x, int[] y, List<String[]> raws, int from, int to)
            throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", featureColumns())).append(",sex,race,income\n");
        for (int i = from; i < to; i++) {
            for (float v : x[i]) {
                sb.append(Float.toString(v)).append(',');
            }
            String[] raw = raws.get(i);
            sb.append(raw[9]).append(',').append(raw[8]).append(',')
                    .append(y[i] == 1 ? ">50K" : "<=50K").append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    /** The {@code MLmodel} MLflow writes for an onnx model; {@code columns} null for no signature. */
    static String mlmodel(String flavor, String dataFile, List<String> columns) {
        StringBuilder y = new StringBuilder("artifact_path: model\nflavors:\n");
        if (flavor.equals("onnx")) {
            y.append("  onnx:\n    code: null\n    data: ").append(dataFile).append("\n    onnx_version: 1.17.0\n")
                    .append("    providers:\n    - CUDAExecutionProvider\n    - CPUExecutionProvider\n");
        } else {
            y.append("  ").append(flavor).append(":\n    code: null\n    pickled_model: model.pkl\n");
        }
        y.append("  python_function:\n    data: ").append(dataFile).append("\n    env:\n      conda: conda.yaml\n")
                .append("      virtualenv: python_env.yaml\n    loader_module: mlflow.").append(flavor)
                .append("\n    python_version: 3.11.9\nmlflow_version: 3.5.1\nmodel_size_bytes: 1234\n")
                .append("model_uuid: 6c1f0e4a2b\nrun_id: source-run\n");
        if (columns != null) {
            String inputs = columns.stream().map(c -> "{\"type\": \"float\", \"name\": \"" + c + "\", \"required\": true}")
                    .collect(Collectors.joining(", ", "[", "]"));
            y.append("signature:\n  inputs: '").append(inputs).append("'\n  outputs: '[{\"type\": \"tensor\", ")
                    .append("\"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 1]}}]'\n  params: null\n");
        }
        y.append("utc_time_created: '2026-12-01 10:00:00.000000'\n");
        return y.toString();
    }

    /** A model directory with {@code model.onnx} (self-contained), MLmodel and the environment files. */
    static Path modelDir(Path dir, ModelProto model, List<String> columns) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), model.toByteArray());
        return finishModelDir(dir, columns);
    }

    static Path finishModelDir(Path dir, List<String> columns) throws IOException {
        Files.writeString(dir.resolve("MLmodel"), mlmodel("onnx", "model.onnx", columns));
        Files.writeString(dir.resolve("conda.yaml"), "name: mlflow-env\ndependencies:\n- python=3.11.9\n");
        Files.writeString(dir.resolve("python_env.yaml"), "python: 3.11.9\n");
        Files.writeString(dir.resolve("requirements.txt"), "mlflow==3.5.1\nonnx==1.17.0\nonnxruntime==1.20.0\n");
        return dir;
    }

    static Evaluation evaluation() {
        return new Evaluation(DatasetRef.tag(Evaluation.DEFAULT_DATASET_TAG), "income", ">50K",
                List.of(">50K", "<=50K"), List.of("sex", "race"), Map.of(), true, 50, 30, 0.5, 1024, 7);
    }

    static JobAssignment job(long id, String specJson, Path source, Path dataset, Path calibration, Path runRoot) {
        return job(id, specJson, source.toUri().toString(), dataset == null ? null : dataset.toUri().toString(),
                calibration == null ? null : calibration.toUri().toString(), runRoot, evaluation());
    }

    static JobAssignment job(long id, String specJson, String source, String dataset, String calibration, Path runRoot,
                             Evaluation evaluation) {
        String scheme = specJson.replaceAll(".*\"scheme\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        String runId = "run" + id;
        String runUri = runRoot.resolve(runId).resolve("artifacts").toUri().toString().replaceAll("/$", "");
        return new JobAssignment(id, "lease-" + id, Instant.now().plusSeconds(60), 1, "adult-income", "1", source,
                "source-run", runId, runUri, scheme, specJson, "0".repeat(64), "cpu", false, "credit-scoring",
                "1".repeat(64), evaluation, "2".repeat(64), dataset,
                new Calibration(DatasetRef.tag(Calibration.DEFAULT_DATASET_TAG), 2.0), calibration,
                Map.of(), Duration.ofSeconds(10));
    }

    /**
     * The evidence's figures are a direct, seeded {@link Evaluator} call's on the same files, with the options
     * {@link #evaluation()} stands for; {@code calibration} null when the scheme needs none.
     */
    @SuppressWarnings("unchecked")
    static void assertEvaluationEqualsDirectCall(Map<String, Object> evidence, Path source, Path variant, Path dataset,
                                                 Path calibration) {
        EvaluationOptions o = new EvaluationOptions().labelColumn("income").classes(List.of("<=50K", ">50K"))
                .sensitive(SensitiveAttribute.categorical("sex")).sensitive(SensitiveAttribute.categorical("race"))
                .intersections(true).bootstrap(50).seed(7).minGroupSize(30).threshold(0.5).batchSize(1024)
                .features(featureColumns()).threads(1);
        if (calibration != null) {
            o.calibration(calibration).calibrationFactor(2.0);
        }
        Map<String, Object> direct = (Map<String, Object>) Evidence.sanitize(
                EvaluationReport.build(new Evaluator().evaluateModels(source, variant, dataset, o)), "", new ArrayList<>());
        Map<String, Object> recorded = (Map<String, Object>) evidence.get("evaluation");
        for (String key : List.of("source", "variant", "delta", "fidelity", "flips", "impact", "dataset", "models")) {
            // compared as RFC 8785 text: evidence read back from JSON holds 0 where the engine's map holds 0.0
            assertEquals(Jcs.write(direct.get(key)), Jcs.write(recorded.get(key)), key);
        }
        assertEquals(calibration != null, recorded.containsKey("calibration"));
        assertEquals(Jcs.write(((Map<String, Object>) direct.get("dataset")).get("rows")),
                Jcs.write(((Map<String, Object>) evidence.get("dataset")).get("rows")));
    }

    /** The same job as the queue hands a GPU job to a CPU worker under {@code fallback: cpu}. */
    static JobAssignment onCpuFallback(JobAssignment j) {
        return new JobAssignment(j.jobId(), j.leaseToken(), j.leaseUntil(), j.attempt(), j.model(), j.version(),
                j.source(), j.sourceRunId(), j.runId(), j.runArtifactUri(), j.scheme(), j.specJson(), j.specSha256(),
                "gpu", true, j.policyName(), j.policySha256(), j.evaluation(), j.evaluationSha256(), j.datasetUri(),
                j.calibration(), j.calibrationUri(), j.versionTags(), j.heartbeatEvery());
    }

    /** The run's artifact root as a path. */
    static Path runDir(JobAssignment job) {
        return Path.of(java.net.URI.create(job.runArtifactUri()));
    }
}
