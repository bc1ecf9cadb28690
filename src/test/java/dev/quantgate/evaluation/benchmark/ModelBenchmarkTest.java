package dev.quantgate.evaluation.benchmark;

import ai.onnx.proto.OnnxMl;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.adult.OnnxGraphs;
import dev.quantgate.evaluation.dataset.Datasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelBenchmarkTest {

    @TempDir
    Path dir;

    /** y = relu(x·W) over a [N, 64] input: a small model, big enough to take measurable time. */
    private Path model(String name, float scale) {
        float[] w = new float[64 * 64];
        for (int i = 0; i < w.length; i++) {
            w[i] = scale * ((i * 31 % 17) - 8) / 8f;
        }
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName(name)
                .addInput(OnnxGraphs.batchOf("x", 64))
                .addInitializer(OnnxGraphs.floats("w", w, 64, 64))
                .addNode(OnnxGraphs.node("MatMul", "mm", new String[]{"x", "w"}, "h"))
                .addNode(OnnxGraphs.node("Relu", "relu", new String[]{"h"}, "y"))
                .addOutput(OnnxGraphs.batchOf("y", 64)).build();
        Path file = dir.resolve(name + ".onnx");
        OnnxGraphs.write(g, file);
        return file;
    }

    @Test
    void shouldFeedGivenRowsToBothModelsAndSayWhichInTheResult() {
        Path source = model("source", 1f);
        Path variant = model("variant", 0.5f);
        float[] values = new float[10 * 64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 13) / 13f;
        }
        BenchmarkRows rows = new BenchmarkRows("x", 64, values, "ten rows");
        BenchmarkResult r = ModelBenchmark.run(source, variant, new BenchmarkOptions(1, 12, 4, 5, 1, Map.of(), 16, 7), rows);
        assertEquals("evaluation_rows", r.inputs().kind());
        assertEquals(10, r.inputs().rows());
        assertEquals(rows.sha256(), r.inputs().sha256());
        assertTrue(r.inputs().description().startsWith("ten rows, the same for both models"), r.inputs().description());
        assertEquals(12, r.source().batch1().samples());
        assertTrue(r.variant().rowsPerSecond() > 0);

        BenchmarkResult random = ModelBenchmark.run(source, variant, new BenchmarkOptions(1, 4, 4, 2, 1, Map.of(), 16, 7));
        assertEquals("random", random.inputs().kind());
        assertNull(random.inputs().sha256());
        assertTrue(random.notUsing("no rows").inputs().description().endsWith("evaluation rows not used: no rows"));
    }

    @Test
    void shouldRefuseRowsOfTheWrongWidthOrForAnotherInputNamingBoth() {
        Path source = model("source", 1f);
        Path variant = model("variant", 0.5f);
        BenchmarkOptions o = new BenchmarkOptions(1, 4, 4, 2, 1, Map.of(), 16, 7);
        BadInputException width = assertThrows(BadInputException.class, () -> ModelBenchmark.run(source, variant, o,
                new BenchmarkRows("x", 3, new float[6], "two narrow rows")));
        assertTrue(width.getMessage().contains("[-1, 64]") && width.getMessage().contains("3 values each"),
                width.getMessage());
        BadInputException name = assertThrows(BadInputException.class, () -> ModelBenchmark.run(source, variant, o,
                new BenchmarkRows("features", 64, new float[64], "one row")));
        assertTrue(name.getMessage().contains("[x]") && name.getMessage().contains("'features'"), name.getMessage());
    }

    @Test
    void shouldSayWhereOnnxRuntimesIntegerKernelsSaturate() {
        assertTrue(cpu("avx", "avx2", "fma", "sse4_2").saturatingIntegerKernels(), "x86 without VNNI");
        assertFalse(cpu("avx2", "avx512f", "avx512_vnni", "sse4_2").saturatingIntegerKernels(), "AVX-512 VNNI");
        assertFalse(cpu("avx2", "avx_vnni", "sse4_2").saturatingIntegerKernels(), "AVX-VNNI");
        assertFalse(cpu("asimd", "asimddp", "i8mm").saturatingIntegerKernels(), "ARM: not these kernels");
    }

    private static HardwareDescriptor cpu(String... flags) {
        return new HardwareDescriptor("test cpu", java.util.List.of(flags), 2, 1L << 30, java.util.List.of(), "1.0",
                "CPUExecutionProvider", "Linux", "17");
    }

    @Test
    void shouldHashRowsByWidthAndValuesSoThatAnyChangeShows() {
        float[] v = {1f, 2f, 3f, 4f};
        String h = new BenchmarkRows("x", 2, v, "a").sha256();
        assertEquals(h, new BenchmarkRows("y", 2, v.clone(), "b").sha256(), "input name and words are not hashed");
        assertNotEquals(h, new BenchmarkRows("x", 4, v, "a").sha256(), "the width is");
        assertNotEquals(h, new BenchmarkRows("x", 2, new float[]{1f, 2f, 3f, 4.0001f}, "a").sha256(), "every value is");
        assertThrows(IllegalArgumentException.class, () -> new BenchmarkRows("x", 3, v, "a"));
    }

    @Test
    void shouldMeasureBothModelsWithOrderedPercentilesAndDescribeTheMachine() {
        Path source = model("source", 1f);
        Path variant = model("variant", 0.5f);
        BenchmarkOptions o = new BenchmarkOptions(3, 40, 32, 5, 1, Map.of(), 16, 7);
        BenchmarkResult r = ModelBenchmark.run(source, variant, o);
        for (ModelMeasurement m : new ModelMeasurement[]{r.source(), r.variant()}) {
            LatencyStats l = m.batch1();
            assertEquals(40, l.samples());
            assertTrue(l.min() > 0, "positive latencies");
            assertTrue(l.min() <= l.p50() && l.p50() <= l.p95() && l.p95() <= l.p99() && l.p99() <= l.max(), l.toString());
            assertTrue(m.loadNanos() > 0);
            assertTrue(m.rowsPerSecond() > 0);
            assertEquals(32, m.throughputBatch());
            assertTrue(m.residentGrowthBytes() >= 0);
        }
        assertEquals("source.onnx", r.source().file());
        assertEquals(Datasets.sha256(variant), r.variant().sha256());
        assertEquals((double) r.variant().batch1().p50() / r.source().batch1().p50(), r.latencyRatio(), 1e-12);
        assertTrue(r.throughputRatio() > 0);
        HardwareDescriptor h = r.hardware();
        assertTrue(h.cores() >= 1);
        assertFalse(h.cpuModel().isBlank());
        assertFalse(h.onnxRuntimeVersion().isBlank());
        assertTrue(h.executionProviders().endsWith("CPU"), h.executionProviders());
        if (Path.of("/proc/self/status").toFile().exists()) {
            assertTrue(r.peakResidentBytes() > 0, "VmHWM read");
            assertTrue(h.memoryBytes() > 0, "MemTotal read");
        }
        assertTrue(r.memoryMethod().contains("VmHWM"));
    }

    @Test
    void shouldComputeNearestRankPercentiles() {
        long[] samples = new long[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = 100 - i;
        }
        LatencyStats s = LatencyStats.of(samples);
        assertEquals(50, s.p50());
        assertEquals(95, s.p95());
        assertEquals(99, s.p99());
        assertEquals(1, s.min());
        assertEquals(100, s.max());
    }
}
