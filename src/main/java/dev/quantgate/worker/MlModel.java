package dev.quantgate.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An MLflow {@code MLmodel} file: which flavor it is, the ONNX file the {@code onnx} flavor names, and the variant's
 * {@code MLmodel} made from it (same signature, the variant's file, QuantGate's metadata).
 */
final class MlModel {

    static final String FILE = "MLmodel";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.SPLIT_LINES));

    private final Map<String, Object> root;

    private MlModel(Map<String, Object> root) {
        this.root = root;
    }

    @SuppressWarnings("unchecked")
    static MlModel read(Path dir) throws JobFailure, IOException {
        Path file = dir.resolve(FILE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw JobFailure.permanent("missing_mlmodel", "the model directory has no MLmodel file: it is not an "
                    + "MLflow model (log it with mlflow.onnx.log_model)");
        }
        Object parsed;
        try {
            parsed = YAML.readValue(text, Object.class);
        } catch (IOException e) {
            throw JobFailure.permanent("bad_mlmodel", "the MLmodel file is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw JobFailure.permanent("bad_mlmodel", "the MLmodel file is not a YAML mapping");
        }
        return new MlModel(new LinkedHashMap<>((Map<String, Object>) map));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> flavors() {
        return root.get("flavors") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /**
     * The ONNX file the {@code onnx} flavor names, checked to exist inside {@code dir}; any other flavor is
     * {@code unsupported_flavor:<flavor>}.
     */
    Path onnxFile(Path dir) throws JobFailure {
        Map<String, Object> flavors = flavors();
        if (!(flavors.get(ModelFlavor.ONNX) instanceof Map<?, ?> onnx)) {
            if (flavors.containsKey(ModelFlavor.ONNX)) {
                throw JobFailure.permanent("bad_mlmodel", "the MLmodel's onnx flavor is not a mapping (flavors.onnx)");
            }
            String other = ModelFlavor.of(flavors);
            throw JobFailure.permanent("unsupported_flavor:" + other, "the model's flavor is " + other + " "
                    + flavors.keySet() + "; QuantGate quantizes models of the onnx flavor only");
        }
        Object data = onnx.get("data");
        if (!(data instanceof String name) || name.isBlank()) {
            throw JobFailure.permanent("bad_mlmodel", "the MLmodel's onnx flavor names no model file (flavors.onnx.data)");
        }
        Path file = dir.resolve(name).normalize();
        if (!file.startsWith(dir.normalize())) {
            throw JobFailure.permanent("bad_mlmodel", "flavors.onnx.data '" + name + "' points outside the model directory");
        }
        if (!Files.isRegularFile(file)) {
            throw JobFailure.permanent("model_file_missing", "the MLmodel names " + name
                    + " (flavors.onnx.data) but the model directory holds no such file");
        }
        return file;
    }

    /** Whether the file carries {@code signature.inputs}. */
    boolean hasSignature() {
        return root.get("signature") instanceof Map<?, ?> s && s.get("inputs") != null;
    }

    /**
     * The variant's {@code MLmodel}: the source's, with the flavors pointing at {@code onnxFile}, this run's id,
     * no input example (it is not copied) and QuantGate's metadata.
     */
    @SuppressWarnings("unchecked")
    String variant(String onnxFile, JobAssignment job, long sizeBytes) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>(root);
        Map<String, Object> flavors = new LinkedHashMap<>();
        flavors().forEach((name, value) -> {
            Map<String, Object> f = value instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m)
                    : new LinkedHashMap<>();
            if (name.equals("onnx") || name.equals("python_function")) {
                if (f.containsKey("data") || name.equals("onnx")) {
                    f.put("data", onnxFile);
                }
                flavors.put(name, f);
            }
        });
        out.put("flavors", flavors);
        out.remove("saved_input_example_info");
        out.remove("model_uuid");
        out.remove("model_id");
        out.put("artifact_path", "model");
        if (job.runId() != null) {
            out.put("run_id", job.runId());
        }
        out.put("model_size_bytes", sizeBytes);
        Map<String, Object> metadata = out.get("metadata") instanceof Map<?, ?> m
                ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
        metadata.put("quantgate.variant_of", job.model() + "/" + job.version());
        metadata.put("quantgate.scheme", job.scheme());
        metadata.put("quantgate.spec_sha256", job.specSha256());
        metadata.put("quantgate.job_id", Long.toString(job.jobId()));
        out.put("metadata", metadata);
        return YAML.writeValueAsString(out);
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
