package dev.quantgate.quantize;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is refused with a message naming the problem, and nothing is written. */
class BadInputTest {

    @TempDir
    Path dir;

    private String refuse(byte[] model, Scheme scheme) throws IOException {
        Path in = dir.resolve("in.onnx");
        Files.write(in, model);
        Path out = dir.resolve("out.onnx");
        QuantizationException e = assertThrows(QuantizationException.class, () ->
                new QuantizationEngine(new OrtRuntime(1, false)).quantize(in, out, QuantizationSpec.defaults(scheme),
                        Optional.empty()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("in.onnx"), files.map(p -> p.getFileName().toString()).toList(),
                    "no output and no temporary file");
        }
        return e.getMessage();
    }

    @Test
    void shouldRefuseAFileThatIsNotOnnx() throws IOException {
        String msg = refuse("this is a README, not a model\n".getBytes(StandardCharsets.UTF_8), Scheme.INT8_DYNAMIC);
        assertTrue(msg.contains("not an ONNX model"), msg);
    }

    @Test
    void shouldRefuseAnEmptyFile() throws IOException {
        assertTrue(refuse(new byte[0], Scheme.FP16).contains("empty"));
    }

    @Test
    void shouldRefuseATruncatedModel() throws IOException {
        byte[] full = TinyModels.embeddingMlp(17).toByteArray();
        for (int cut : new int[] {full.length / 2, full.length - 7, 40}) {
            String msg = refuse(Arrays.copyOf(full, cut), Scheme.INT8_DYNAMIC);
            assertTrue(msg.contains("truncated") || msg.contains("not an ONNX model"), cut + ": " + msg);
        }
    }

    @Test
    void shouldRefuseAnUnsupportedOpset() throws IOException {
        String msg = refuse(TinyModels.embeddingMlp(7).toByteArray(), Scheme.INT8_DYNAMIC);
        assertTrue(msg.contains("unsupported opset 7"), msg);
    }

    @Test
    void shouldRefuseAnUnknownOperator() throws IOException {
        ModelProto m = TinyModels.embeddingMlp(17);
        ModelProto bad = m.toBuilder().setGraph(m.getGraph().toBuilder()
                .setNode(3, NodeProto.newBuilder().setOpType("FancyActivation").setName("act")
                        .addInput("hb").addOutput("a"))).build();
        String msg = refuse(bad.toByteArray(), Scheme.INT8_DYNAMIC);
        assertTrue(msg.contains("unsupported operator FancyActivation"), msg);
        ModelProto custom = m.toBuilder().setGraph(m.getGraph().toBuilder()
                .setNode(3, NodeProto.newBuilder().setOpType("Relu").setDomain("org.example").setName("act")
                        .addInput("hb").addOutput("a"))).build();
        assertTrue(refuse(custom.toByteArray(), Scheme.FP16).contains("domain org.example"));
    }

    @Test
    void shouldRefuseTensorsInAMissingExternalDataFile() throws IOException {
        ModelProto m = TinyModels.embeddingMlp(17);
        TensorProto external = TensorProto.newBuilder().setName("W1").setDataType(1).addDims(32).addDims(48)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")).build();
        ModelProto bad = m.toBuilder().setGraph(m.getGraph().toBuilder().setInitializer(1, external)).build();
        String msg = refuse(bad.toByteArray(), Scheme.INT4_WEIGHT_ONLY);
        assertTrue(msg.contains("tensor 'W1' external data location 'weights.bin'") && msg.contains("file not found"),
                msg);
    }

    @Test
    void shouldRefuseStaticQuantizationWithoutCalibrationData() throws IOException {
        String msg = refuse(TinyModels.embeddingMlp(17).toByteArray(), Scheme.INT8_STATIC);
        assertTrue(msg.contains("calibration data"), msg);
    }

    @Test
    void shouldLeaveAnExistingOutputUntouchedWhenRefusing() throws IOException {
        Path in = dir.resolve("in.onnx");
        Files.writeString(in, "garbage");
        Path out = dir.resolve("out.onnx");
        Files.writeString(out, "previous");
        assertThrows(QuantizationException.class, () -> new QuantizationEngine(new OrtRuntime(1, false))
                .quantize(in, out, QuantizationSpec.defaults(Scheme.FP16), Optional.empty()));
        assertEquals("previous", Files.readString(out));
    }
}
