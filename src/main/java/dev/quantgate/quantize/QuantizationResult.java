package dev.quantgate.quantize;

import dev.quantgate.quantize.spec.CanonicalJson;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one quantization request, immutable: either a variant was {@link Produced}, or the
 * model holds nothing the scheme can quantize and no variant was made ({@link NotApplicable}: not an
 * error, a pipeline records it as {@code not_applicable}). Both name the effective spec (with the
 * calibration data hash filled in) and the source model's files and hashes.
 */
public sealed interface QuantizationResult permits QuantizationResult.Produced, QuantizationResult.NotApplicable {

    QuantizationSpec spec();

    /** The source model's files and hashes. */
    ModelFiles source();

    Timings timings();

    /** Execution providers of the runtime that checked the output, e.g. {@code "CPU"}. */
    String providers();

    /** One line of canonical JSON (sorted keys) for the command line. */
    String toJsonLine();

    /** Total wall time in milliseconds. */
    default long millis() {
        return timings().totalMillis();
    }

    /**
     * A model's files: the {@code .onnx} file and its external data files.
     *
     * @param file the {@code .onnx} file
     * @param sha256 each file's SHA-256 (hex), keyed by its path relative to the {@code .onnx} file's directory
     * @param modelSha256 the combined hash: SHA-256 over the sorted lines {@code path "\0" sha256 "\n"}
     * @param bytes the total size of the files
     * @param external whether tensors are kept in external data files
     */
    record ModelFiles(Path file, Map<String, String> sha256, String modelSha256, long bytes, boolean external) {

        public ModelFiles {
            sha256 = Map.copyOf(new TreeMap<>(sha256));
        }

        /** The SHA-256 of the {@code .onnx} file itself. */
        public String fileSha256() {
            return sha256.get(file.getFileName().toString());
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.toString());
            m.put("files", new TreeMap<>(sha256));
            m.put("model_sha256", modelSha256);
            m.put("bytes", bytes);
            m.put("external_data", external);
            return m;
        }
    }

    /** Where the time went, in milliseconds. */
    record Timings(long readMillis, long quantizeMillis, long writeMillis, long verifyMillis, long totalMillis) {

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("read_ms", readMillis);
            m.put("quantize_ms", quantizeMillis);
            m.put("write_ms", writeMillis);
            m.put("verify_ms", verifyMillis);
            m.put("total_ms", totalMillis);
            return m;
        }
    }

    /** A variant was written, loaded in the runtime from its directory, and moved into place. */
    record Produced(QuantizationSpec spec, ModelFiles source, ModelFiles output, List<String> quantizedNodes,
                    Map<String, String> keptNodes, Timings timings, String providers) implements QuantizationResult {

        public Produced {
            quantizedNodes = List.copyOf(quantizedNodes);
            keptNodes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keptNodes));
        }

        /** SHA-256 of the source {@code .onnx} file. */
        public String sourceSha256() {
            return source.fileSha256();
        }

        public long sourceBytes() {
            return source.bytes();
        }

        public long outputBytes() {
            return output.bytes();
        }

        @Override
        public String toJsonLine() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("result", "produced");
            m.put("scheme", spec.scheme().id());
            m.put("spec_sha256", spec.sha256());
            m.put("source_sha256", sourceSha256());
            m.put("source_model_sha256", source.modelSha256());
            m.put("source_bytes", source.bytes());
            m.put("source", source.json());
            m.put("output", output.file().toString());
            m.put("output_bytes", output.bytes());
            m.put("output_sha256", output.fileSha256());
            m.put("output_model_sha256", output.modelSha256());
            m.put("output_files", new TreeMap<>(output.sha256()));
            m.put("external_data", output.external());
            m.put("nodes_quantized", (long) quantizedNodes.size());
            m.put("nodes_kept", (long) keptNodes.size());
            m.put("kept", keptNodes);
            m.put("millis", timings.totalMillis());
            m.put("timings", timings.json());
            m.put("runtime", providers);
            return CanonicalJson.write(m);
        }
    }

    /**
     * The model has nothing this scheme quantizes (for example only {@code ai.onnx.ml} tree ensembles
     * or linear classifiers); no variant was produced and nothing was written.
     *
     * @param operators the model's operator types (domain-qualified outside the default domain)
     */
    record NotApplicable(QuantizationSpec spec, ModelFiles source, List<String> operators, Timings timings,
                         String providers) implements QuantizationResult {

        public NotApplicable {
            operators = List.copyOf(operators);
        }

        public String reason() {
            return "nothing to quantize: " + String.join(", ", operators) + ", variant not produced";
        }

        @Override
        public String toJsonLine() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("result", "not_applicable");
            m.put("reason", reason());
            m.put("operators", operators);
            m.put("scheme", spec.scheme().id());
            m.put("spec_sha256", spec.sha256());
            m.put("source_sha256", source.fileSha256());
            m.put("source_model_sha256", source.modelSha256());
            m.put("source", source.json());
            m.put("millis", timings.totalMillis());
            m.put("runtime", providers);
            return CanonicalJson.write(m);
        }
    }
}
