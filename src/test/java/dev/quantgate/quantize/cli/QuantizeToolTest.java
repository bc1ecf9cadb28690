package dev.quantgate.quantize.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.cli.Tool;
import dev.quantgate.cli.Tools;
import dev.quantgate.quantize.TinyModels;
import dev.quantgate.quantize.onnx.ModelMetadata;
import dev.quantgate.quantize.onnx.OnnxModelReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code quantize} tool, run in process through its {@link Tool} interface. */
class QuantizeToolTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        Tool tool = new Tools(getClass().getClassLoader()).find("quantize").orElseThrow();
        return tool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path tinyModel() throws Exception {
        Path in = dir.resolve("tiny.onnx");
        Files.write(in, TinyModels.embeddingMlp(17).toByteArray());
        return in;
    }

    @Test
    void shouldQuantizeAndPrintAOneLineJsonSummary() throws Exception {
        Path in = tinyModel();
        Path outFile = dir.resolve("tiny-int8.onnx");
        int code = run("--in", in.toString(), "--out", outFile.toString(), "--scheme", "int8-dynamic",
                "--per-channel", "--symmetric", "--exclude", "fc2", "--set", "min_tensor_size=0");
        assertEquals(Tool.OK, code, err.toString());
        String line = out.toString(StandardCharsets.UTF_8).trim();
        assertFalse(line.contains("\n"), "one line");
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("int8-dynamic", json.get("scheme").asText());
        assertEquals(2, json.get("nodes_quantized").asInt());
        assertEquals(1, json.get("nodes_kept").asInt());
        assertEquals(Files.size(in), json.get("source_bytes").asLong());
        assertEquals(Files.size(outFile), json.get("output_bytes").asLong());
        assertTrue(json.get("millis").asLong() >= 0);
        assertEquals(ModelMetadata.read(OnnxModelReader.read(outFile)).get(ModelMetadata.SPEC_SHA256),
                json.get("spec_sha256").asText());
    }

    @Test
    void shouldTakeEveryParameterFromASpecFile() throws Exception {
        Path in = tinyModel();
        Path spec = dir.resolve("spec.json");
        Files.writeString(spec, "{\"scheme\":\"int4-weight-only\",\"block_size\":16,\"min_tensor_size\":0,\"embedding_bits\":32}");
        int code = run("--in", in.toString(), "--out", dir.resolve("q4.onnx").toString(), "--spec", spec.toString());
        assertEquals(Tool.OK, code, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals("int4-weight-only", json.get("scheme").asText());
        assertEquals(2, json.get("nodes_quantized").asInt());
        assertTrue(json.get("kept").get("embed").asText().contains("embedding_bits is 32"));
    }

    @Test
    void shouldExitTwoWithTheReasonOnAnImpossibleSpec() throws Exception {
        Path in = tinyModel();
        Path outFile = dir.resolve("o.onnx");
        assertEquals(Tool.BAD_INPUT, run("--in", in.toString(), "--out", outFile.toString(), "--scheme",
                "int4-weight-only", "--set", "block_size=0"));
        assertTrue(err.toString().contains("block_size: 0 is not a power of two"), err.toString());
        assertFalse(Files.exists(outFile));
        assertEquals("", out.toString());
    }

    @Test
    void shouldExitTwoOnAFileThatIsNotOnnx() throws Exception {
        Path in = dir.resolve("notes.onnx");
        Files.writeString(in, "just some notes\n");
        assertEquals(Tool.BAD_INPUT, run("--in", in.toString(), "--out", dir.resolve("o.onnx").toString(),
                "--scheme", "fp16"));
        assertTrue(err.toString().contains("not an ONNX model"), err.toString());
    }

    @Test
    void shouldExitTwoWithUsageOnAMissingOrUnknownFlag() {
        assertEquals(Tool.BAD_INPUT, run("--scheme", "fp16"));
        assertTrue(err.toString().contains("--in and --out are required"), err.toString());
        assertTrue(err.toString().contains("usage: quantgate quantize"));
        assertEquals(Tool.BAD_INPUT, run("--in", "a", "--out", "b", "--scheme", "int8-dynamic", "--turbo"));
        assertTrue(err.toString().contains("unknown option --turbo"));
    }

    @Test
    void shouldExitTwoOnMissingInputFile() {
        assertEquals(Tool.BAD_INPUT, run("--in", dir.resolve("absent.onnx").toString(), "--out",
                dir.resolve("o.onnx").toString(), "--scheme", "int8-dynamic"));
        assertTrue(err.toString().contains("does not exist"), err.toString());
    }
}
