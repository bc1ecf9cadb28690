package dev.quantgate.quantize.external;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.quantize.TinyModels;
import dev.quantgate.quantize.onnx.ExternalData;
import dev.quantgate.quantize.runtime.ModelRuntime;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.runtime.TensorData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model over protobuf's 2 GiB limit (2.26 GB of zero-filled float weights in an MLflow-style
 * sidecar) quantized int8-dynamic in a JVM whose heap is capped at 1.5x the largest tensor plus
 * 512 MiB, then read back and run in ONNX Runtime. Skipped only where the disk lacks room, saying so.
 */
class LargeExternalModelTest {

    private static final long K = 16_384;
    private static final long N1 = 18_432;
    private static final long N2 = 14_336;
    private static final long MARGIN = 512L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldQuantizeAModelOverTwoGigabytesWithinABoundedHeapAndReadItBack() throws Exception {
        long w1 = K * N1 * 4;
        long w2 = N1 * N2 * 4;
        long needed = w1 + w2 + (w1 + w2) / 4 + (512L << 20);
        long usable = Files.getFileStore(dir).getUsableSpace();
        Assumptions.assumeTrue(usable >= needed, "skipped: the 2 GB external-data test needs "
                + (needed >> 20) + " MiB free on " + Files.getFileStore(dir) + " for " + dir + ", only "
                + (usable >> 20) + " MiB are available");

        Path src = Files.createDirectories(dir.resolve("big"));
        String sidecar = UUID.randomUUID().toString();
        try (RandomAccessFile f = new RandomAccessFile(src.resolve(sidecar).toFile(), "rw")) {
            f.setLength(w1 + w2); // zero-filled (sparse where the file system allows)
        }
        GraphProto g = GraphProto.newBuilder().setName("big")
                .addInput(TinyModels.input("x", TensorProto.DataType.FLOAT_VALUE, 1, K))
                .addOutput(TinyModels.input("out", TensorProto.DataType.FLOAT_VALUE, 1, N2))
                .addInitializer(ExternalModels.reference(weight("W1", K, N1), sidecar, 0, w1))
                .addInitializer(ExternalModels.reference(weight("W2", N1, N2), sidecar, w1, w2))
                .addNode(TinyModels.node("MatMul", "fc1", List.of("x", "W1"), "h"))
                .addNode(TinyModels.node("MatMul", "fc2", List.of("h", "W2"), "out"))
                .build();
        Path in = src.resolve("model.onnx");
        Files.write(in, TinyModels.model(g, 17).toByteArray());
        assertTrue(w1 + w2 > (2L << 30), "over 2 GiB");

        long bound = w1 * 3 / 2 + MARGIN;
        Path out = Files.createDirectories(dir.resolve("variant")).resolve("model.onnx");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + (bound >> 20) + "m", "-cp", System.getProperty("java.class.path"),
                LargeModelMain.class.getName(), in.toString(), out.toString(), "int8-dynamic"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile())
                .start();
        long t0 = System.nanoTime();
        assertTrue(p.waitFor(540, TimeUnit.SECONDS), "quantizing finished");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        String log = Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "quantized within -Xmx" + (bound >> 20) + "m: " + log);
        String[] lines = log.trim().split("\n");
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 2]);
        long peak = Long.parseLong(lines[lines.length - 1].replace("peak_heap_bytes=", "").trim());
        System.out.printf("2 GB external-data model: largest tensor %d MiB, heap cap %d MiB, peak heap (sum of pool"
                        + " peaks) %d MiB = %.2fx the largest tensor, %d s (load %s)%n", w1 >> 20, bound >> 20,
                peak >> 20, (double) peak / w1, seconds, Files.readString(Path.of("/proc/loadavg")).trim());

        assertEquals("produced", json.get("result").asText());
        assertTrue(json.get("external_data").asBoolean());
        assertEquals(2, json.get("nodes_quantized").asInt(), json.toString());
        List<Path> sidecars = ExternalData.verifyConfined(out);
        assertEquals(1, sidecars.size());
        assertTrue(Files.size(sidecars.get(0)) >= (w1 + w2) / 4, "int8 weights: a quarter of the float bytes");
        assertEquals(json.get("output_bytes").asLong(), Files.size(out) + Files.size(sidecars.get(0)));

        float[] x = new float[(int) K];
        java.util.Arrays.fill(x, 1f);
        try (ModelRuntime.Session s = new OrtRuntime(2, false).open(out)) {
            Map<String, TensorData> res = s.run(Map.of("x", TensorData.ofFloats(new long[] {1, K}, x)));
            float[] y = res.get("out").floats();
            assertEquals(N2, y.length);
            for (float v : y) {
                assertEquals(0f, v, "zero weights give zero outputs");
            }
        }
    }

    private static TensorProto weight(String name, long rows, long cols) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(rows).addDims(cols).build();
    }
}
