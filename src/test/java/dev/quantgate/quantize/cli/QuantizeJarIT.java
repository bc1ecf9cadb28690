package dev.quantgate.quantize.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.quantize.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged application runs {@code quantize} as a tool: no server, no database, exit codes 0 and 2. */
class QuantizeJarIT {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        Path jar = Path.of(System.getProperty("quantgate.app.jar", "target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.exists(jar), "packaged application at " + jar);
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "quantize"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void shouldQuantizeFromThePackagedJarWithoutStartingTheService() throws Exception {
        Path in = dir.resolve("tiny.onnx");
        Files.write(in, TinyModels.embeddingMlp(17).toByteArray());
        Run ok = run("--in", in.toString(), "--out", dir.resolve("tiny-q4.onnx").toString(), "--scheme",
                "int4-weight-only", "--set", "min_tensor_size=0");
        assertEquals(0, ok.code(), ok.err());
        JsonNode json = new ObjectMapper().readTree(ok.out().trim());
        assertEquals(3, json.get("nodes_quantized").asInt());
        assertTrue(Files.size(dir.resolve("tiny-q4.onnx")) > 0);
        assertTrue(!ok.out().contains("Listening on") && !ok.err().contains("Listening on"), "no HTTP server");

        Run bad = run("--in", in.toString(), "--out", dir.resolve("bad.onnx").toString(), "--scheme",
                "int4-weight-only", "--set", "bits=3");
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.err().contains("bits: 3 is not supported"), bad.err());
        assertTrue(Files.notExists(dir.resolve("bad.onnx")));
    }
}
