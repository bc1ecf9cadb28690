package dev.quantgate.worker;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.TransientIoException;
import dev.quantgate.evaluation.benchmark.BenchmarkOptions;
import dev.quantgate.evaluation.benchmark.BenchmarkResult;
import dev.quantgate.evaluation.benchmark.ModelBenchmark;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;
import dev.quantgate.evaluation.report.MarkdownReport;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.quantize.OutputOptions;
import dev.quantgate.quantize.QuantizationEngine;
import dev.quantgate.quantize.QuantizationException;
import dev.quantgate.quantize.QuantizationIoException;
import dev.quantgate.quantize.QuantizationResult;
import dev.quantgate.quantize.calib.CalibrationData;
import dev.quantgate.quantize.onnx.ModelFile;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.spec.InvalidSpecException;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * Runs one leased job in a work directory: download the source model directory and the datasets, quantize,
 * benchmark source against variant, evaluate both on the evaluation set, upload the variant as an MLflow model
 * directory with {@code evaluation.json} and {@code evaluation.md} beside it, and answer the outcome with its
 * evidence. Bad input is a permanent {@link JobOutcome.Failed}, an outage a retryable one; nothing is uploaded
 * before every figure is in hand, and the caller deletes the work directory afterwards.
 */
public final class JobExecutor implements JobRunner {

    /**
     * How jobs run.
     *
     * @param maxArtifactBytes the most bytes one download may write (a model directory, a dataset)
     * @param benchmark        benchmark runs, warm-ups and threads
     * @param threads          ONNX Runtime intra-op threads for quantization checks and evaluation
     * @param output           how the quantizer writes outputs (when to use external data)
     */
    public record Settings(long maxArtifactBytes, BenchmarkOptions benchmark, int threads, OutputOptions output) {

        public static final long DEFAULT_MAX_ARTIFACT_BYTES = 4L << 30;

        public Settings {
            if (maxArtifactBytes < 1 || threads < 1) {
                throw new IllegalArgumentException("the artifact limit and threads must be positive");
            }
            Objects.requireNonNull(benchmark, "benchmark");
            Objects.requireNonNull(output, "output");
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_MAX_ARTIFACT_BYTES, BenchmarkOptions.defaults(), 2, OutputOptions.DEFAULTS);
        }
    }

    private static final List<String> ENVIRONMENT_FILES = List.of("conda.yaml", "python_env.yaml", "requirements.txt");

    private final WorkerInfo worker;
    private final Settings settings;
    private final QuantizationEngine engine;

    public JobExecutor(WorkerInfo worker, Settings settings) {
        this.worker = Objects.requireNonNull(worker, "worker");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.engine = new QuantizationEngine(new OrtRuntime(settings.threads(), worker.kind().equals("gpu")),
                settings.output());
    }

    /**
     * Runs the job; never throws. {@code progress} hears each stage as it starts and ends. An interrupt (the lease
     * was lost) ends the job between stages with a retryable failure that the caller does not report.
     */
    @Override
    public JobOutcome execute(JobAssignment job, ArtifactPort artifacts, Path workDir, Consumer<Progress> progress) {
        try {
            return run(job, artifacts, workDir, progress);
        } catch (Exception | OutOfMemoryError e) {
            return failure(e);
        }
    }

    /** The outcome a job's failure is reported as. */
    static JobOutcome failure(Throwable t) {
        if (t instanceof JobFailure f) {
            return f.outcome();
        }
        if (t instanceof ArtifactException e) {
            return new JobOutcome.Failed(e.retryable() ? "artifact_unavailable" : "artifact_invalid", e.getMessage(),
                    !e.retryable());
        }
        if (t instanceof InvalidSpecException e) {
            return new JobOutcome.Failed("bad_spec", "the job's quantization spec is invalid: " + e.getMessage(), true);
        }
        if (t instanceof QuantizationException e) {
            return new JobOutcome.Failed("quantization_failed", e.getMessage(), true);
        }
        if (t instanceof BadInputException e) {
            return new JobOutcome.Failed("bad_input", e.getMessage(), true);
        }
        if (t instanceof QuantizationIoException || t instanceof TransientIoException || t instanceof IOException) {
            return new JobOutcome.Failed("io_error", "an I/O failure in the work directory: " + t.getMessage(), false);
        }
        return new JobOutcome.Failed("internal", "internal error (" + t.getClass().getSimpleName() + "): "
                + MlModel.firstLine(t.getMessage()), false);
    }

    /**
     * The job's inputs fetched into {@code workDir} ahead of its turn, on the caller's thread (the worker calls it
     * while the job before runs its evaluation): the source model directory, the evaluation set and the calibration
     * set, each read and checked. The runner answered continues from them; where fetching failed it starts over,
     * from an emptied work directory, so that the failure (a transient one may be gone by then) is the job's own.
     */
    @Override
    public JobRunner ahead(JobAssignment job, ArtifactPort artifacts, Path workDir) {
        Inputs inputs;
        try {
            inputs = fetch(job, artifacts, workDir, p -> { });
        } catch (Exception | OutOfMemoryError e) {
            return (j, a, w, p) -> {
                DirectoryManifest.deleteContents(w);
                return execute(j, a, w, p);
            };
        }
        return (j, a, w, p) -> {
            p.accept(new Progress(Progress.Stage.DOWNLOADING, 100));
            try {
                return process(j, a, w, p, inputs);
            } catch (Exception | OutOfMemoryError e) {
                return failure(e);
            }
        };
    }

    private JobOutcome run(JobAssignment job, ArtifactPort artifacts, Path workDir, Consumer<Progress> progress)
            throws JobFailure, ArtifactException, IOException {
        return process(job, artifacts, workDir, progress, fetch(job, artifacts, workDir, progress));
    }

    /** What the download stage leaves for the rest of the job. */
    private record Inputs(QuantizationSpec spec, Path sourceDir, String sourceUri, ArtifactPort.Download sourceDownload,
                          MlModel mlmodel, Path sourceOnnx, Path dataset, ArtifactPort.Download datasetDownload,
                          EvaluationSetup setup, boolean needsCalibration, Optional<CalibrationData> calibration,
                          Map<String, Object> calibrationEvidence, Path calibrationFile,
                          CalibrationCsv.Either benchmarkRows) {
    }

    private Inputs fetch(JobAssignment job, ArtifactPort artifacts, Path workDir, Consumer<Progress> progress)
            throws JobFailure, ArtifactException, IOException {
        progress.accept(new Progress(Progress.Stage.DOWNLOADING, 0));
        QuantizationSpec spec = QuantizationSpec.parse(job.specJson());
        Path sourceDir = Files.createDirectories(workDir.resolve("source"));
        Path dataDir = Files.createDirectories(workDir.resolve("data"));
        Path dataset = job.datasetUri() == null ? null : dataDir.resolve(fileName(job.datasetUri(), "evaluation.csv"));
        // the evaluation set streams beside the model directory: two transfers at once
        FutureTask<ArtifactPort.Download> datasetFetch = dataset == null ? null
                : new FutureTask<>(() -> artifacts.downloadFile(job.datasetUri(), dataset, settings.maxArtifactBytes()));
        if (datasetFetch != null) {
            Thread t = new Thread(datasetFetch, "quantgate-download-" + job.jobId());
            t.setDaemon(true);
            t.start();
        }
        String sourceUri;
        ArtifactPort.Download sourceDownload;
        MlModel mlmodel;
        Path sourceOnnx;
        ModelProto sourceModel;
        try {
            sourceUri = artifacts.resolveModelDirectory(job.model(), job.version(), job.source(), job.sourceRunId());
            sourceDownload = artifacts.downloadDirectory(sourceUri, sourceDir, settings.maxArtifactBytes());
            mlmodel = MlModel.read(sourceDir);
            sourceOnnx = mlmodel.onnxFile(sourceDir);
            sourceModel = loadModel(sourceOnnx);
        } catch (JobFailure | ArtifactException | IOException | RuntimeException | Error e) {
            awaitQuietly(datasetFetch); // nothing may write into the work directory once the job is over
            throw e;
        }
        progress.accept(new Progress(Progress.Stage.DOWNLOADING, 50));
        if (datasetFetch == null) {
            throw JobFailure.permanent("dataset_missing", "the version names no evaluation dataset: "
                    + describe(job.evaluation().dataset()) + " is not set");
        }
        ArtifactPort.Download datasetDownload = join(datasetFetch);
        Path mlmodelFile = sourceDir.resolve(MlModel.FILE);
        EvaluationSetup setup = EvaluationSetup.of(job.evaluation(), dataset, dataset.getFileName().toString(),
                mlmodelFile, mlmodel.hasSignature(), settings.threads());
        boolean needsCalibration = spec.scheme() == Scheme.INT8_STATIC
                || (spec.has("sensitivity") && !spec.string("sensitivity").equals("off"));
        Optional<CalibrationData> calibration = Optional.empty();
        Map<String, Object> calibrationEvidence = null;
        Path calibrationFile = null;
        if (needsCalibration && job.calibrationUri() != null) {
            calibrationFile = dataDir.resolve("calibration-" + fileName(job.calibrationUri(), "calibration.csv"));
            ArtifactPort.Download d = artifacts.downloadFile(job.calibrationUri(), calibrationFile, settings.maxArtifactBytes());
            CalibrationCsv.Read read = CalibrationCsv.read(calibrationFile, d.sha256(), sourceModel, setup, job.evaluation());
            calibration = Optional.of(read.data());
            calibrationEvidence = new TreeMap<>(Map.of("uri", job.calibrationUri(), "sha256", d.sha256(),
                    "rows", read.rows()));
        }
        BenchmarkOptions bo = settings.benchmark();
        CalibrationCsv.Either benchmarkRows = CalibrationCsv.benchmarkRows(dataset, sourceModel, setup, job.evaluation(),
                Math.max(bo.latencyRuns(), bo.throughputBatch() * bo.throughputRuns()));
        progress.accept(new Progress(Progress.Stage.DOWNLOADING, 100));
        return new Inputs(spec, sourceDir, sourceUri, sourceDownload, mlmodel, sourceOnnx, dataset, datasetDownload,
                setup, needsCalibration, calibration, calibrationEvidence, calibrationFile, benchmarkRows);
    }

    private JobOutcome process(JobAssignment job, ArtifactPort artifacts, Path workDir, Consumer<Progress> progress,
                               Inputs in) throws JobFailure, ArtifactException, IOException {
        QuantizationSpec spec = in.spec();
        Path sourceDir = in.sourceDir();
        String sourceUri = in.sourceUri();
        ArtifactPort.Download sourceDownload = in.sourceDownload();
        MlModel mlmodel = in.mlmodel();
        Path sourceOnnx = in.sourceOnnx();
        Path dataset = in.dataset();
        ArtifactPort.Download datasetDownload = in.datasetDownload();
        EvaluationSetup setup = in.setup();
        boolean needsCalibration = in.needsCalibration();
        Optional<CalibrationData> calibration = in.calibration();
        Map<String, Object> calibrationEvidence = in.calibrationEvidence();
        Path calibrationFile = in.calibrationFile();
        checkInterrupted();
        progress.accept(new Progress(Progress.Stage.QUANTIZING, 0));
        Path variantDir = Files.createDirectories(workDir.resolve("variant"));
        Path variantOnnx = variantDir.resolve(sourceOnnx.getFileName().toString());
        QuantizationResult result;
        try {
            result = engine.quantize(sourceOnnx, variantOnnx, spec, calibration);
        } catch (QuantizationException e) {
            if (needsCalibration && calibration.isEmpty() && !(e instanceof InvalidSpecException)) {
                throw JobFailure.permanent("calibration_missing", spec.scheme().id() + " needs a calibration set and "
                        + "the version names none: " + (job.calibration() == null ? "the policy has no calibration section"
                        : describe(job.calibration().dataset()) + " is not set"));
            }
            throw e;
        }
        if (result instanceof QuantizationResult.NotApplicable na) {
            List<String> notes = new ArrayList<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> details = (Map<String, Object>) Evidence.sanitize(Evidence.notApplicable(na), "", notes);
            return new JobOutcome.NotApplicable(na.reason(), details);
        }
        QuantizationResult.Produced produced = (QuantizationResult.Produced) result;
        progress.accept(new Progress(Progress.Stage.QUANTIZING, 100));

        checkInterrupted();
        progress.accept(new Progress(Progress.Stage.BENCHMARKING, 0));
        BenchmarkResult benchmark = benchmark(sourceOnnx, variantOnnx, in.benchmarkRows());
        progress.accept(new Progress(Progress.Stage.BENCHMARKING, 100));

        checkInterrupted();
        progress.accept(new Progress(Progress.Stage.EVALUATING, 0));
        EvaluationOptions options = setup.options();
        if (calibrationFile != null) {
            options.calibration(calibrationFile);
            if (job.calibration() != null) {
                options.calibrationFactor(job.calibration().maxUnderrepresentation());
            }
        }
        EvaluationResult evaluation;
        try {
            evaluation = new Evaluator().evaluateModels(sourceOnnx, variantOnnx, dataset, options);
        } catch (BadInputException e) {
            throw JobFailure.permanent("evaluation_input", "the evaluation cannot run on " + dataset.getFileName()
                    + ": " + e.getMessage());
        }
        Map<String, Object> report = recordedReport(evaluation, options, calibrationFile);
        Path reportDir = Files.createDirectories(workDir.resolve("report"));
        writeAtomically(reportDir.resolve("evaluation.json"), JsonWriter.write(report) + "\n");
        writeAtomically(reportDir.resolve("evaluation.md"), MarkdownReport.render(evaluation));
        progress.accept(new Progress(Progress.Stage.EVALUATING, 100));

        checkInterrupted();
        progress.accept(new Progress(Progress.Stage.UPLOADING, 0));
        for (String env : ENVIRONMENT_FILES) {
            if (Files.isRegularFile(sourceDir.resolve(env))) {
                Files.copy(sourceDir.resolve(env), variantDir.resolve(env), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        writeAtomically(variantDir.resolve(MlModel.FILE), mlmodel.variant(variantOnnx.getFileName().toString(), job,
                produced.outputBytes()));
        DirectoryManifest variantManifest = DirectoryManifest.of(variantDir);
        DirectoryManifest sourceManifest = DirectoryManifest.of(sourceDir);
        String variantUri = job.runArtifactUri() + "/model";
        artifacts.uploadDirectory(variantDir, variantUri);
        progress.accept(new Progress(Progress.Stage.UPLOADING, 50));
        artifacts.uploadDirectory(reportDir, job.runArtifactUri());
        progress.accept(new Progress(Progress.Stage.UPLOADING, 100));

        Map<String, Object> evidence = new TreeMap<>();
        evidence.put("schema", Evidence.SCHEMA);
        evidence.put("job_id", job.jobId());
        evidence.put("attempt", job.attempt());
        evidence.put("model", job.model());
        evidence.put("source_version", job.version());
        evidence.put("scheme", spec.scheme().id());
        evidence.put("spec", spec.asMap());
        evidence.put("spec_sha256", job.specSha256());
        evidence.put("policy", mapOf("name", job.policyName(), "sha256", job.policySha256(),
                "evaluation_sha256", job.evaluationSha256()));
        evidence.put("source_artifact", artifact(sourceUri, sourceDownload.sha256(), sourceManifest));
        evidence.put("variant_artifact", artifact(variantUri, variantManifest.sha256(), variantManifest));
        evidence.put("dataset", mapOf("uri", job.datasetUri(), "sha256", datasetDownload.sha256(),
                "rows", evaluation.dataset() == null ? null : evaluation.dataset().rows()));
        evidence.put("calibration", calibrationEvidence);
        evidence.put("worker", mapOf("id", worker.id(), "kind", worker.kind(), "fallback", job.fallback(),
                "hardware", Evidence.hardware(benchmark.hardware())));
        evidence.put("engines", mapOf("quantize", QuantizationEngine.VERSION, "evaluate", Evaluator.VERSION,
                "evaluation_schema", EvaluationReport.SCHEMA, "onnxruntime", OrtEnvironment.getEnvironment().getVersion()));
        evidence.put("quantization", Evidence.quantization(produced));
        evidence.put("benchmark", Evidence.benchmark(benchmark, produced.sourceBytes(), produced.outputBytes()));
        evidence.put("evaluation", report);
        List<String> notes = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> clean = (Map<String, Object>) Evidence.sanitize(evidence, "", notes);
        if (saturates(spec, benchmark)) {
            notes.add(SATURATING_NOTE);
        }
        clean.put("notes", notes);
        return new JobOutcome.Succeeded(clean, "runs:/" + job.runId() + "/model", runParams(produced.spec(), job),
                Evidence.runMetrics(clean));
    }

    /** Said in the evidence of an int8 variant with 8-bit weights measured where the integer kernels saturate. */
    static final String SATURATING_NOTE = "int8 with 8-bit weights (reduce_range: false) ran on an x86 CPU without "
            + "VNNI: ONNX Runtime's u8·s8 kernels add pairs of products in 16-bit lanes there, which 8-bit weights can "
            + "saturate, and ONNX Runtime advises reduce_range: true on such CPUs; the evaluation shows what it cost";

    private static boolean saturates(QuantizationSpec spec, BenchmarkResult benchmark) {
        boolean int8 = spec.scheme() == Scheme.INT8_DYNAMIC || spec.scheme() == Scheme.INT8_STATIC;
        boolean eightBit = !spec.has("reduce_range") || !spec.bool("reduce_range");
        String providers = benchmark.hardware().executionProviders();
        boolean cpu = providers == null || !providers.toUpperCase(java.util.Locale.ROOT).contains("CUDA");
        return int8 && eightBit && cpu && benchmark.hardware().saturatingIntegerKernels();
    }

    /** On the evaluation rows; on random inputs, saying why, when there are none or the model cannot take them. */
    private BenchmarkResult benchmark(Path source, Path variant, CalibrationCsv.Either rows) {
        if (rows.rows() == null) {
            return ModelBenchmark.run(source, variant, settings.benchmark()).notUsing(rows.reason());
        }
        try {
            return ModelBenchmark.run(source, variant, settings.benchmark(), rows.rows());
        } catch (BadInputException e) {
            return ModelBenchmark.run(source, variant, settings.benchmark()).notUsing(e.getMessage());
        }
    }

    /** A download's result, waited for to its end (an interrupt is kept for later), its failure thrown as it was. */
    private static ArtifactPort.Download join(FutureTask<ArtifactPort.Download> download)
            throws ArtifactException, IOException {
        awaitQuietly(download);
        try {
            return download.get();
        } catch (InterruptedException e) {
            throw new IllegalStateException("a finished download cannot be interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ArtifactException a) {
                throw a;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Waits for a download to end, however it ends; an interrupt meanwhile is kept for the stage check after it. */
    private static void awaitQuietly(FutureTask<?> download) {
        if (download == null) {
            return;
        }
        boolean interrupted = false;
        while (!download.isDone()) {
            try {
                download.get();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Parses and checks the source model before any work: a corrupt or truncated file is bad input. */
    private static ModelProto loadModel(Path onnx) throws JobFailure {
        try {
            return ModelFile.load(onnx).model();
        } catch (QuantizationException e) {
            throw JobFailure.permanent("corrupt_model", "the model file " + onnx.getFileName()
                    + " cannot be read as ONNX: " + e.getMessage());
        }
    }

    /**
     * The report as evidence keeps it: the calibration file named by its file name, like the dataset and models,
     * so that the record does not depend on where the worker put its files.
     */
    private static Map<String, Object> recordedReport(EvaluationResult evaluation, EvaluationOptions options,
                                                      Path calibrationFile) {
        Map<String, Object> report = EvaluationReport.build(evaluation);
        if (calibrationFile != null) {
            EvaluationOptions recorded = EvaluationOptions.parse(options.toCanonicalJson())
                    .calibration(Path.of(calibrationFile.getFileName().toString()));
            report.put("config", recorded.toSpec());
            report.put("config_sha256", recorded.sha256());
        }
        return report;
    }

    private static Map<String, Object> artifact(String uri, String sha256, DirectoryManifest files) {
        return mapOf("uri", uri, "sha256", sha256, "files", files.files(), "size_bytes", files.bytes());
    }

    /** The effective spec's fields (calibration hash filled in) as MLflow run params, with the job's spec hash. */
    static Map<String, String> runParams(QuantizationSpec spec, JobAssignment job) {
        Map<String, String> params = new LinkedHashMap<>();
        spec.asMap().forEach((k, v) -> params.put(k, v instanceof List<?> l
                ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(v)));
        params.put("spec_sha256", job.specSha256());
        params.put("effective_spec_sha256", spec.sha256());
        return params;
    }

    private static Map<String, Object> mapOf(Object... kv) {
        Map<String, Object> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String describe(dev.quantgate.policy.model.DatasetRef ref) {
        return ref.tag() != null ? "the tag " + ref.tag() : "the URI " + ref.uri();
    }

    /** The last path segment of a URI, kept to safe characters; {@code fallback} when it has none. */
    static String fileName(String uri, String fallback) {
        String s = uri;
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        String name = s.substring(s.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        return name.isEmpty() || name.startsWith(".") || name.contains(":") ? fallback : name;
    }

    private static void checkInterrupted() throws JobFailure {
        if (Thread.currentThread().isInterrupted()) {
            throw JobFailure.transient_("interrupted", "the job was stopped (its lease was lost or the worker is stopping)");
        }
    }

    /** Writes beside the target and moves into place: a reader never sees half a file. */
    static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
