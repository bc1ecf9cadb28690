package dev.quantgate.quantize.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.cli.Tool;
import dev.quantgate.cli.Tools;
import dev.quantgate.quantize.TinyModels;
import dev.quantgate.quantize.cli.QuantizeTool;
import dev.quantgate.quantize.onnx.FileHashes;
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

/** The {@code quantize} command on models with external data, and its exit codes for bad and transient problems. */
class ExternalDataCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        Tool tool = new Tools(getClass().getClassLoader()).find("quantize").orElseThrow();
        return tool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldQuantizeAnMlflowSavedModelFromTheCommandLine() throws Exception {
        Path in = ExternalModels.saveLikeMlflow(TinyModels.embeddingMlp(17), Files.createDirectories(dir.resolve("m")));
        Path outFile = dir.resolve("v/model.onnx");
        assertEquals(Tool.OK, run("--in", in.toString(), "--out", outFile.toString(), "--scheme", "int8-dynamic",
                "--set", "min_tensor_size=0"), err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8).trim());
        assertEquals("produced", json.get("result").asText());
        assertTrue(json.get("external_data").asBoolean());
        assertTrue(json.get("source").get("external_data").asBoolean());
        assertEquals(2, json.get("output_files").size());
        json.get("output_files").fields().forEachRemaining(f ->
                assertEquals(FileHashes.sha256(outFile.resolveSibling(f.getKey())), f.getValue().asText(), f.getKey()));
        assertEquals(FileHashes.sha256(outFile), json.get("output_sha256").asText());
        assertEquals(64, json.get("output_model_sha256").asText().length());
        assertTrue(json.get("timings").get("total_ms").asLong() >= json.get("timings").get("verify_ms").asLong());
    }

    @Test
    void shouldExitTwoNamingTheTensorWhenALocationEscapes() throws Exception {
        Path in = ExternalModels.saveLikeMlflow(TinyModels.embeddingMlp(17), Files.createDirectories(dir.resolve("m")));
        ExternalModels.relocate(in, "W2", "../../etc/passwd");
        assertEquals(Tool.BAD_INPUT, run("--in", in.toString(), "--out", dir.resolve("o.onnx").toString(),
                "--scheme", "fp16"));
        assertTrue(err.toString().contains("tensor 'W2' external data location '../../etc/passwd' escapes"),
                err.toString());
        assertFalse(Files.exists(dir.resolve("o.onnx")));
    }

    @Test
    void shouldExitFourOnAnIoProblemWritingTheOutput() throws Exception {
        Path in = dir.resolve("tiny.onnx");
        Files.write(in, TinyModels.floatMlp(17).toByteArray());
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        assertEquals(QuantizeTool.TRANSIENT, run("--in", in.toString(), "--out",
                notADirectory.resolve("o.onnx").toString(), "--scheme", "int8-dynamic"));
        assertTrue(err.toString().contains("transient I/O error, retry: cannot write"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void shouldExitTwoOnANegativeThreshold() throws Exception {
        assertEquals(Tool.BAD_INPUT, run("--in", "a.onnx", "--out", "b.onnx", "--scheme", "fp16",
                "--external-data-threshold", "-5"));
        assertTrue(err.toString().contains("--external-data-threshold needs a byte count"), err.toString());
    }
}
