package dev.quantgate.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.cli.EvaluateTool;
import dev.quantgate.evaluation.dataset.Datasets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models whose weights live in external-data files, as MLflow saves them, evaluated from the command line. */
class ExternalDataEvaluationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FEATURES = 300; // w is 1,200 bytes: over MLflow's 1 KiB external-data threshold

    @TempDir
    Path dir;
    Path data;
    float[] w;
    String out;
    String err;

    @BeforeEach
    void data() throws Exception {
        w = new float[FEATURES];
        w[0] = 4f;
        w[1] = -1f;
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < FEATURES; j++) {
            csv.append('x').append(j).append(',');
        }
        csv.append("sex,y\n");
        for (int i = 0; i < 80; i++) {
            double x0 = (i * 37 % 80) / 80.0;
            for (int j = 0; j < FEATURES; j++) {
                csv.append(j == 0 ? x0 : j == 1 ? (i % 7) / 7.0 : 0.5).append(',');
            }
            csv.append(i % 3 == 0 ? "F" : "M").append(',').append(x0 > 0.5 ? 1 : 0).append('\n');
        }
        data = Files.writeString(dir.resolve("eval.csv"), csv);
    }

    private int run(Path source, Path variant) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = new EvaluateTool().run(new String[]{"--source", source.toString(), "--variant", variant.toString(),
                        "--data", data.toString(), "--label", "y", "--sensitive", "sex", "--bootstrap", "20"},
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    private Path inline() {
        return TinyModels.linear(dir.resolve("inline/model.onnx"), FEATURES, 1, w, new float[]{-2f}, TinyModels.Head.SIGMOID);
    }

    @Test
    void shouldEvaluateAModelSavedAsMlflowSavesItAndHashEveryFile() throws Exception {
        Path mlflowDir = Files.createDirectories(dir.resolve("mlflow"));
        String sidecar = UUID.randomUUID().toString();
        Path model = ExternalDataModels.binary(mlflowDir, FEATURES, w, -2f, sidecar, sidecar);
        assertTrue(Files.size(model) < 1200, "the weights are not in model.onnx");
        assertEquals(0, run(model, inline()), err);
        JsonNode r = JSON.readTree(out);
        JsonNode files = r.at("/models/source/files");
        assertEquals(java.util.Set.of("model.onnx", sidecar), java.util.Set.copyOf(iterate(files)));
        assertEquals(Datasets.sha256(mlflowDir.resolve(sidecar)), files.get(sidecar).asText());
        assertEquals(Datasets.sha256(model), files.get("model.onnx").asText());
        assertEquals(r.at("/models/source/sha256").asText(), files.get("model.onnx").asText());
        assertEquals(0.0, r.at("/flips/overall").asDouble(), "the external weights are the inline model's");
        assertTrue(r.at("/source/overall/accuracy").asDouble() > 0.8);
    }

    @Test
    void shouldTakeTheMlflowModelDirectoryItself() throws Exception {
        Path mlflowDir = Files.createDirectories(dir.resolve("artifacts/model"));
        String sidecar = UUID.randomUUID().toString();
        ExternalDataModels.binary(mlflowDir, FEATURES, w, -2f, sidecar, sidecar);
        Files.move(mlflowDir.resolve("model.onnx"), mlflowDir.resolve("credit.onnx"));
        Files.writeString(mlflowDir.resolve("MLmodel"), """
                artifact_path: model
                flavors:
                  onnx:
                    code: null
                    data: credit.onnx
                    onnx_version: 1.17.0
                  python_function:
                    data: credit.onnx
                    loader_module: mlflow.onnx
                mlflow_version: 3.5.1
                """);
        assertEquals(0, run(mlflowDir, inline()), err);
        JsonNode r = JSON.readTree(out);
        assertEquals("credit.onnx", r.at("/models/source/file").asText());
        assertEquals(java.util.Set.of("credit.onnx", sidecar), java.util.Set.copyOf(iterate(r.at("/models/source/files"))));
    }

    @Test
    void shouldReadTensorsSpreadOverSeveralFiles() throws Exception {
        Path d = Files.createDirectories(dir.resolve("multi"));
        Path model = ExternalDataModels.binary(d, FEATURES, w, -2f, "weights/w.bin", "b.bin");
        assertEquals(0, run(model, inline()), err);
        JsonNode files = JSON.readTree(out).at("/models/source/files");
        assertEquals(List.of("b.bin", "model.onnx", "weights/w.bin"), iterate(files));
        assertEquals(0.0, JSON.readTree(out).at("/flips/overall").asDouble());
    }

    @Test
    void shouldRefuseALocationThatEscapesTheModelsDirectory() throws Exception {
        Path d = Files.createDirectories(dir.resolve("escape/inner"));
        Path model = ExternalDataModels.binary(d, FEATURES, w, -2f, "../outside.bin", "../outside.bin");
        assertTrue(Files.exists(dir.resolve("escape/outside.bin")), "the escaping file exists: only the check refuses it");
        assertEquals(2, run(model, inline()));
        assertTrue(err.contains("location '../outside.bin' escapes the model's directory"), err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void shouldRefuseASymbolicLinkOutOfTheModelsDirectory() throws Exception {
        Path d = Files.createDirectories(dir.resolve("link/inner"));
        Path model = ExternalDataModels.binary(d, FEATURES, w, -2f, "data.bin", "data.bin");
        Path outside = dir.resolve("link/real.bin");
        Files.move(d.resolve("data.bin"), outside);
        Files.createSymbolicLink(d.resolve("data.bin"), outside);
        assertEquals(2, run(model, inline()));
        assertTrue(err.contains("'data.bin' is a symbolic link that leads out of the model's directory"), err);
    }

    @Test
    void shouldNameAMissingOrShortSidecar() throws Exception {
        Path d = Files.createDirectories(dir.resolve("missing"));
        Path model = ExternalDataModels.binary(d, FEATURES, w, -2f, "w.bin", "b.bin");
        Files.delete(d.resolve("b.bin"));
        assertEquals(2, run(model, inline()));
        assertTrue(err.contains("tensor 'b' external data location 'b.bin': file not found beside the model"), err);

        Path s = Files.createDirectories(dir.resolve("short"));
        Path shortModel = ExternalDataModels.binary(s, FEATURES, w, -2f, "w.bin", "b.bin");
        byte[] full = Files.readAllBytes(s.resolve("w.bin"));
        Files.write(s.resolve("w.bin"), Arrays.copyOf(full, full.length - 100));
        assertEquals(2, run(shortModel, inline()));
        assertTrue(err.contains("'w.bin' is short: it has " + (full.length - 100) + " bytes"), err);
    }

    private static List<String> iterate(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
