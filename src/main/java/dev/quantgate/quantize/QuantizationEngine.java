package dev.quantgate.quantize;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.calib.CalibrationData;
import dev.quantgate.quantize.onnx.FileHashes;
import dev.quantgate.quantize.onnx.ModelFile;
import dev.quantgate.quantize.onnx.ModelMetadata;
import dev.quantgate.quantize.onnx.ModelWriter;
import dev.quantgate.quantize.runtime.ExternalDataRuntime;
import dev.quantgate.quantize.runtime.ModelRuntime;
import dev.quantgate.quantize.scheme.Fp16Scheme;
import dev.quantgate.quantize.scheme.Int4WeightOnlyScheme;
import dev.quantgate.quantize.scheme.Int8DynamicScheme;
import dev.quantgate.quantize.scheme.Int8StaticScheme;
import dev.quantgate.quantize.scheme.QuantizationScheme;
import dev.quantgate.quantize.scheme.SchemeContext;
import dev.quantgate.quantize.scheme.SchemeResult;
import dev.quantgate.quantize.scheme.Sensitivity;
import dev.quantgate.quantize.spec.CanonicalJson;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Quantizes an ONNX model file according to a spec. The input is validated first (its external
 * data resolved inside the model's directory and memory-mapped); the output is written to a
 * temporary directory next to the target, with its tensors in a UUID-named external data file when
 * the source used external data or the output's tensors pass {@link OutputOptions#externalDataThreshold()},
 * loaded in the runtime from that directory, hashed, and only then moved into place, so a failure
 * never leaves a partial or invalid model behind. Permanent input problems are
 * {@link QuantizationException}s, transient I/O problems {@link QuantizationIoException}s.
 */
public final class QuantizationEngine {

    /** Recorded in every output model's {@code metadata_props}. */
    public static final String VERSION = "quantgate-quantize/0.2.0";

    private final ModelRuntime runtime;
    private final OutputOptions options;

    public QuantizationEngine(ModelRuntime runtime) {
        this(runtime, OutputOptions.DEFAULTS);
    }

    public QuantizationEngine(ModelRuntime runtime, OutputOptions options) {
        this.runtime = runtime;
        this.options = options;
    }

    public static QuantizationScheme schemeFor(Scheme scheme) {
        return switch (scheme) {
            case FP16 -> new Fp16Scheme();
            case INT8_DYNAMIC -> new Int8DynamicScheme();
            case INT8_STATIC -> new Int8StaticScheme();
            case INT4_WEIGHT_ONLY -> new Int4WeightOnlyScheme();
        };
    }

    public QuantizationResult quantize(Path input, Path output, QuantizationSpec spec,
                                       Optional<CalibrationData> calibration) {
        long start = System.nanoTime();
        ModelFile source = ModelFile.load(input);
        ModelProto model = source.model();
        QuantizationResult.ModelFiles sourceFiles = describe(source.directory(),
                source.directory().resolve(source.file().getFileName()), source.sidecars(), source.file());
        String sourceSha = sourceFiles.fileSha256();
        long read = System.nanoTime();
        QuantizationSpec effective = spec;
        if (calibration.isPresent() && spec.has("calibration_data_sha256")) {
            effective = spec.with("calibration_data_sha256", calibration.get().sha256());
        }
        // before asking for calibration data: a model with nothing to quantize needs none
        ModelRuntime sourceRuntime = new ExternalDataRuntime(runtime, source);
        QuantizationScheme scheme = schemeFor(spec.scheme());
        SchemeContext context = new SchemeContext(sourceRuntime, calibration);
        Optional<List<String>> notApplicable = Applicability.nothingToQuantize(model,
                scheme.candidates(model, effective, context));
        if (notApplicable.isPresent()) {
            long end = System.nanoTime();
            return new QuantizationResult.NotApplicable(effective, sourceFiles, notApplicable.get(),
                    new QuantizationResult.Timings(ms(start, read), ms(read, end), 0, 0, ms(start, end)),
                    runtime.providers());
        }
        if (spec.scheme() == Scheme.INT8_STATIC && calibration.isEmpty()) {
            throw new QuantizationException("int8-static needs calibration data (--calibration data.jsonl)");
        }
        if (!spec.string("sensitivity").equals("off") && calibration.isEmpty()) {
            throw new QuantizationException("sensitivity '" + spec.string("sensitivity")
                    + "' needs calibration data (--calibration data.jsonl) to measure output error");
        }
        if (calibration.isPresent()) {
            calibration.get().inputsFor(model, 1); // names and types checked before any work
        }
        Map<String, String> sensitivityKept = new LinkedHashMap<>();
        QuantizationSpec applied = effective;
        if (!spec.string("sensitivity").equals("off")) {
            Sensitivity.Selection selection = new Sensitivity(sourceRuntime).select(model, effective, scheme, context);
            sensitivityKept.putAll(selection.kept());
            List<String> excluded = new ArrayList<>(effective.strings("exclude_nodes"));
            excluded.addAll(selection.kept().keySet());
            applied = effective.with("exclude_nodes", excluded);
        }
        SchemeResult result = scheme.apply(model, applied, context);
        Map<String, String> kept = new LinkedHashMap<>(result.kept());
        kept.putAll(sensitivityKept);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(ModelMetadata.SPEC_SHA256, effective.sha256());
        meta.put(ModelMetadata.SPEC, effective.toCanonicalJson());
        meta.put(ModelMetadata.ENGINE_VERSION, VERSION);
        meta.put(ModelMetadata.SOURCE_SHA256, sourceSha);
        meta.put(ModelMetadata.SOURCE_MODEL_SHA256, sourceFiles.modelSha256());
        meta.put(ModelMetadata.NODES_KEPT, CanonicalJson.write(kept));
        ModelProto stamped = ModelMetadata.stamp(result.model(), meta);
        long quantized = System.nanoTime();
        boolean external = source.external() || tensorBytes(stamped) > options.externalDataThreshold();
        Written written = writeValidated(stamped, output, external);
        long end = System.nanoTime();
        return new QuantizationResult.Produced(effective, sourceFiles, written.files(), result.quantized(), kept,
                new QuantizationResult.Timings(ms(start, read), ms(read, quantized), written.writeMillis(),
                        written.verifyMillis(), ms(start, end)),
                runtime.providers());
    }

    private record Written(QuantizationResult.ModelFiles files, long writeMillis, long verifyMillis) {
    }

    /**
     * Writes the model into a fresh directory beside the target (the {@code .onnx} file and, for
     * external data, a UUID-named sidecar), loads it in the runtime from that directory, hashes the
     * files, and only then moves them into place: sidecar first, then the {@code .onnx} file
     * atomically. A failure leaves neither a partial model nor a stray sidecar behind.
     */
    private Written writeValidated(ModelProto model, Path output, boolean external) {
        Path target = output.toAbsolutePath();
        String name = target.getFileName().toString();
        Path dir = target.getParent();
        Path tmp = null;
        List<Path> moved = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempDirectory(dir, "." + name + ".");
            long t0 = System.nanoTime();
            String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
            String sidecar = external ? stem + "-" + UUID.randomUUID() + ".data" : null;
            List<Path> files = ModelWriter.write(model, tmp.resolve(name), sidecar);
            long t1 = System.nanoTime();
            try (ModelRuntime.Session ignored = runtime.open(tmp.resolve(name))) {
                // loading from the directory is the check: graph, kernels, optimizer passes and external data accepted
            } catch (QuantizationException e) {
                throw new QuantizationException("the quantized model does not load, nothing written: " + e.getMessage(), e);
            }
            long t2 = System.nanoTime();
            QuantizationResult.ModelFiles described = describe(tmp, files.get(0), files.subList(1, files.size()), target);
            for (Path f : files.subList(1, files.size())) {
                Path to = dir.resolve(f.getFileName());
                move(f, to);
                moved.add(to);
            }
            move(files.get(0), target);
            moved.clear();
            return new Written(described, ms(t0, t1) + ms(t2, System.nanoTime()), ms(t1, t2));
        } catch (IOException e) {
            throw new QuantizationIoException("cannot write " + target + ": " + e, e);
        } finally {
            for (Path p : moved) {
                deleteQuietly(p);
            }
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Hashes a model's files; {@code shownAs} is the path reported for the {@code .onnx} file. */
    private static QuantizationResult.ModelFiles describe(Path dir, Path onnx, List<Path> sidecars, Path shownAs) {
        List<Path> all = new ArrayList<>();
        all.add(onnx);
        all.addAll(sidecars);
        Map<String, String> hashes = FileHashes.of(dir, all);
        long bytes = 0;
        for (Path p : all) {
            try {
                bytes += Files.size(p);
            } catch (IOException e) {
                throw new QuantizationIoException("cannot read the size of " + p + ": " + e.getMessage(), e);
            }
        }
        return new QuantizationResult.ModelFiles(shownAs, hashes, FileHashes.combined(hashes), bytes,
                !sidecars.isEmpty());
    }

    private static long tensorBytes(ModelProto model) {
        long n = 0;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            n += t.getRawData().size();
        }
        return n;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(QuantizationEngine::deleteQuietly);
        } catch (IOException ignored) {
            // best effort below
        }
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort; the temporary directory's name starts with a dot
        }
    }

    private static long ms(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
