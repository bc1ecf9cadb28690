package dev.quantgate.quantize;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.quantgate.quantize.calib.CalibrationData;
import dev.quantgate.quantize.onnx.ModelMetadata;
import dev.quantgate.quantize.onnx.OnnxModelReader;
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

/**
 * Quantizes an ONNX model file according to a spec. The input is validated first; the output is
 * written to a temporary file next to the target, loaded in the runtime, and only then moved into
 * place, so a failure never leaves a partial or invalid model behind.
 */
public final class QuantizationEngine {

    /** Recorded in every output model's {@code metadata_props}. */
    public static final String VERSION = "quantgate-quantize/0.1.0";

    private final ModelRuntime runtime;

    public QuantizationEngine(ModelRuntime runtime) {
        this.runtime = runtime;
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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(input);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new QuantizationException("input model " + input + " does not exist");
        } catch (IOException e) {
            throw new QuantizationException("cannot read input model " + input + ": " + e.getMessage(), e);
        }
        ModelProto model = OnnxModelReader.parse(bytes, "input model " + input);
        String sourceSha = sha256(bytes);
        QuantizationSpec effective = spec;
        if (calibration.isPresent() && spec.has("calibration_data_sha256")) {
            effective = spec.with("calibration_data_sha256", calibration.get().sha256());
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
        QuantizationScheme scheme = schemeFor(spec.scheme());
        SchemeContext context = new SchemeContext(runtime, calibration);
        Map<String, String> sensitivityKept = new LinkedHashMap<>();
        QuantizationSpec applied = effective;
        if (!spec.string("sensitivity").equals("off")) {
            Sensitivity.Selection selection = new Sensitivity(runtime).select(model, effective, scheme, context);
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
        meta.put(ModelMetadata.NODES_KEPT, CanonicalJson.write(kept));
        ModelProto stamped = ModelMetadata.stamp(result.model(), meta);
        long written = writeValidated(stamped.toByteArray(), output);
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new QuantizationResult(effective, sourceSha, output, bytes.length, written, result.quantized(), kept,
                millis, runtime.providers());
    }

    private long writeValidated(byte[] model, Path output) {
        Path target = output.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            Files.write(tmp, model);
            try (ModelRuntime.Session ignored = runtime.open(model)) {
                // loading is the check: graph, kernels and optimizer passes accepted the output
            } catch (QuantizationException e) {
                throw new QuantizationException("the quantized model does not load, nothing written: " + e.getMessage(), e);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return model.length;
        } catch (IOException e) {
            throw new QuantizationException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort; the temp name starts with a dot and ends with .tmp
                }
            }
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
