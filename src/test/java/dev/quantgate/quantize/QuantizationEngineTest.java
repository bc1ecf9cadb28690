package dev.quantgate.quantize;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.calib.CalibrationData;
import dev.quantgate.quantize.calib.CalibrationReader;
import dev.quantgate.quantize.onnx.ModelMetadata;
import dev.quantgate.quantize.onnx.OnnxModelReader;
import dev.quantgate.quantize.runtime.ModelRuntime;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.runtime.TensorData;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every scheme's output loads and runs in ONNX Runtime and stays close to the float model. */
class QuantizationEngineTest {

    private static final OrtRuntime RUNTIME = new OrtRuntime(1, true);

    @TempDir
    Path dir;

    @BeforeAll
    static void reportProviders() {
        // the tests run on whatever this ONNX Runtime build offers; say which
        System.out.println("[quantize tests] " + OrtRuntime.describe() + "; sessions use: " + RUNTIME.providers());
    }

    private Path write(ModelProto m, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, m.toByteArray());
        return p;
    }

    private static float[] run(ModelRuntime runtime, byte[] model, Map<String, TensorData> in) {
        try (ModelRuntime.Session s = runtime.open(model)) {
            return s.run(in).get("out").floats();
        }
    }

    private static Map<String, TensorData> ids(long seed) {
        Random r = new Random(seed);
        long[] ids = new long[2 * 8];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(64);
        }
        return Map.of("ids", TensorData.ofLongs(new long[] {2, 8}, ids));
    }

    static double relativeError(float[] ref, float[] got) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (ref[i] - got[i]) * (double) (ref[i] - got[i]);
            den += ref[i] * (double) ref[i];
        }
        return Math.sqrt(num / den);
    }

    private Path calibrationFile(int samples) throws IOException {
        Random r = new Random(3);
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < samples; s++) {
            sb.append("{\"ids\": {\"dims\": [2, 8], \"data\": [");
            for (int i = 0; i < 16; i++) {
                sb.append(i == 0 ? "" : ",").append(r.nextInt(64));
            }
            sb.append("]}}\n");
        }
        Path p = dir.resolve("calib.jsonl");
        Files.writeString(p, sb.toString());
        return p;
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void shouldWriteAModelThatRunsInOnnxRuntimeAndTracksTheFloatOutput(Scheme scheme) throws IOException {
        ModelProto source = TinyModels.embeddingMlp(17);
        Path in = write(source, "tiny.onnx");
        Path out = dir.resolve("tiny-" + scheme.id() + ".onnx");
        QuantizationSpec spec = QuantizationSpec.defaults(scheme).with("min_tensor_size", 0L);
        if ((scheme == Scheme.INT8_DYNAMIC || scheme == Scheme.INT8_STATIC) && IntegerKernels.saturating()) {
            spec = spec.with("reduce_range", true);
        }
        Optional<CalibrationData> calib = scheme == Scheme.INT8_STATIC
                ? Optional.of(CalibrationReader.read(calibrationFile(8))) : Optional.empty();
        QuantizationResult.Produced result = (QuantizationResult.Produced) new QuantizationEngine(RUNTIME).quantize(in, out, spec, calib);

        ModelProto q = OnnxModelReader.read(out);
        Set<String> ops = q.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet());
        switch (scheme) {
            case FP16 -> assertTrue(q.getGraph().getInitializerList().stream()
                    .allMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE), "all initializers float16");
            case INT8_DYNAMIC -> assertTrue(ops.containsAll(Set.of("DynamicQuantizeLinear", "MatMulInteger")), ops.toString());
            case INT8_STATIC -> assertTrue(ops.containsAll(Set.of("QuantizeLinear", "DequantizeLinear")), ops.toString());
            case INT4_WEIGHT_ONLY -> assertTrue(ops.contains("MatMulNBits"), ops.toString());
            default -> throw new IllegalStateException();
        }
        // fp16 converts every node; int8-static quantizes the two MatMuls (Gather is not a QDQ op here)
        int expected = switch (scheme) {
            case FP16 -> 5;
            case INT8_STATIC -> 2;
            default -> 3;
        };
        assertEquals(expected, result.quantizedNodes().size(), result.toJsonLine());
        Map<String, TensorData> input = ids(42);
        double err = relativeError(run(RUNTIME, source.toByteArray(), input), run(RUNTIME, Files.readAllBytes(out), input));
        double bound = switch (scheme) {
            case FP16 -> 1e-3;
            case INT4_WEIGHT_ONLY -> 0.15;
            default -> 0.03;
        };
        assertTrue(err < bound, scheme + " relative error " + err);

        Map<String, String> meta = ModelMetadata.read(q);
        assertEquals(result.spec().sha256(), meta.get(ModelMetadata.SPEC_SHA256));
        assertEquals(result.spec().toCanonicalJson(), meta.get(ModelMetadata.SPEC));
        assertEquals(QuantizationEngine.VERSION, meta.get(ModelMetadata.ENGINE_VERSION));
        assertEquals(QuantizationEngine.sha256(Files.readAllBytes(in)), meta.get(ModelMetadata.SOURCE_SHA256));
        assertEquals(QuantizationSpec.parse(meta.get(ModelMetadata.SPEC)).sha256(), result.spec().sha256());
        if (scheme == Scheme.INT8_STATIC) {
            assertEquals(calib.get().sha256(), result.spec().string("calibration_data_sha256"));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "{\"scheme\":\"int8-dynamic\",\"per_channel\":false}",
            "{\"scheme\":\"int8-dynamic\",\"symmetric\":false}",
            "{\"scheme\":\"int8-dynamic\",\"reduce_range\":true}",
            "{\"scheme\":\"int8-dynamic\",\"embedding_per_row\":false}",
            "{\"scheme\":\"int8-dynamic\",\"smooth_alpha\":0}",
            "{\"scheme\":\"int4-weight-only\",\"symmetric\":true,\"block_size\":16,\"accuracy_level\":4}",
            "{\"scheme\":\"int4-weight-only\",\"embedding_bits\":4,\"embedding_block_size\":16}",
            "{\"scheme\":\"fp16\",\"block_ops\":[\"Relu\"],\"exclude_nodes\":[\"fc2\"]}",
            "{\"scheme\":\"fp16\",\"keep_io_types\":false}"})
    void shouldRunEveryOptionInOnnxRuntime(String json) throws IOException {
        ModelProto source = TinyModels.embeddingMlp(17);
        Path in = write(source, "tiny.onnx");
        Path out = dir.resolve("variant.onnx");
        QuantizationSpec spec = QuantizationSpec.parse(json).with("min_tensor_size", 0L);
        if (spec.scheme() == Scheme.INT8_DYNAMIC && !json.contains("reduce_range") && IntegerKernels.saturating()) {
            spec = spec.with("reduce_range", true); // see IntegerKernels
        }
        QuantizationResult.Produced r = (QuantizationResult.Produced) new QuantizationEngine(RUNTIME).quantize(in, out, spec, Optional.empty());
        Map<String, TensorData> input = ids(9);
        if (spec.scheme() == Scheme.FP16 && !spec.bool("keep_io_types")) {
            // float16 output: loading and the graph's types are what ONNX Runtime checked
            assertTrue(Files.size(out) > 0);
            return;
        }
        double err = relativeError(run(RUNTIME, source.toByteArray(), input), run(RUNTIME, Files.readAllBytes(out), input));
        assertTrue(err < (spec.scheme() == Scheme.INT4_WEIGHT_ONLY ? 0.2 : 0.05), json + " error " + err);
        if (json.contains("block_ops")) {
            assertEquals(2, r.keptNodes().size(), r.toJsonLine());
        }
    }

    @Test
    void shouldKeepExcludedAndSmallWeightsInFloatAndSayWhy() throws IOException {
        Path in = write(TinyModels.embeddingMlp(17), "tiny.onnx");
        QuantizationSpec spec = QuantizationSpec.defaults(Scheme.INT8_DYNAMIC)
                .with("exclude_nodes", java.util.List.of("fc2")).with("min_tensor_size", 1600L);
        QuantizationResult.Produced r = (QuantizationResult.Produced) new QuantizationEngine(RUNTIME).quantize(in, dir.resolve("o.onnx"), spec, Optional.empty());
        assertEquals(java.util.List.of("embed"), r.quantizedNodes());
        assertEquals("excluded by exclude_nodes", r.keptNodes().get("fc2"));
        assertTrue(r.keptNodes().get("fc1").contains("below min_tensor_size 1600"), r.keptNodes().toString());
        ModelProto q = OnnxModelReader.read(dir.resolve("o.onnx"));
        assertEquals(2, q.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMul")).count());
    }

    @Test
    void shouldKeepTheMostSensitiveNodeInFloatWhenAskedForACount() throws IOException {
        Path in = write(TinyModels.embeddingMlp(17), "tiny.onnx");
        QuantizationSpec spec = QuantizationSpec.defaults(Scheme.INT4_WEIGHT_ONLY).with("min_tensor_size", 0L)
                .withAll(Map.of("sensitivity", "count", "sensitivity_value", 1.0));
        QuantizationResult.Produced r = (QuantizationResult.Produced) new QuantizationEngine(RUNTIME).quantize(in, dir.resolve("o.onnx"), spec,
                Optional.of(CalibrationReader.read(calibrationFile(4))));
        assertEquals(2, r.quantizedNodes().size(), r.toJsonLine());
        assertEquals(1, r.keptNodes().size(), r.toJsonLine());
        String reason = r.keptNodes().values().iterator().next();
        assertTrue(reason.startsWith("sensitivity count 1: output error"), reason);
        String recorded = ModelMetadata.read(OnnxModelReader.read(dir.resolve("o.onnx"))).get(ModelMetadata.NODES_KEPT);
        assertTrue(recorded.contains("sensitivity count 1"), recorded);
    }

    @Test
    void shouldMeetAnOutputErrorTargetByKeepingNodesInFloat() throws IOException {
        Path in = write(TinyModels.embeddingMlp(17), "tiny.onnx");
        Path calib = calibrationFile(4);
        QuantizationSpec base = QuantizationSpec.defaults(Scheme.INT4_WEIGHT_ONLY).with("min_tensor_size", 0L);
        QuantizationEngine engine = new QuantizationEngine(RUNTIME);
        engine.quantize(in, dir.resolve("all.onnx"), base, Optional.empty());
        Map<String, TensorData> input = ids(5);
        byte[] fp32 = Files.readAllBytes(in);
        double fullError = relativeError(run(RUNTIME, fp32, input), run(RUNTIME, Files.readAllBytes(dir.resolve("all.onnx")), input));
        double target = fullError / 3;
        QuantizationResult.Produced r = (QuantizationResult.Produced) engine.quantize(in, dir.resolve("t.onnx"),
                base.withAll(Map.of("sensitivity", "target", "sensitivity_value", target)),
                Optional.of(CalibrationReader.read(calib)));
        assertTrue(r.keptNodes().size() >= 1, r.toJsonLine());
        assertTrue(r.keptNodes().values().stream().allMatch(v -> v.startsWith("sensitivity target")), r.toJsonLine());
        double err = relativeError(run(RUNTIME, fp32, input), run(RUNTIME, Files.readAllBytes(dir.resolve("t.onnx")), input));
        assertTrue(err < fullError, "kept nodes lower the error: " + err + " vs " + fullError);
    }
}
