package dev.quantgate.quantize.mlp;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.quantgate.quantize.QuantizationEngine;
import dev.quantgate.quantize.QuantizationResult;
import dev.quantgate.quantize.calib.CalibrationReader;
import dev.quantgate.quantize.onnx.OnnxModelReader;
import dev.quantgate.quantize.runtime.ModelRuntime;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.runtime.TensorData;
import dev.quantgate.quantize.spec.CanonicalJson;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * INT8 static (QDQ) on a real model: an MLP trained here on UCI Adult, calibrated with training rows,
 * keeps its test-set accuracy within one point of FP32 with each calibration method.
 */
class Int8StaticAdultTest {

    private static final OrtRuntime RUNTIME = new OrtRuntime(2, true);

    @TempDir
    static Path dir;

    private static AdultMlp mlp;
    private static Path fp32;
    private static Path calibration;
    private static double fp32Accuracy;

    @BeforeAll
    static void trainAndExport() throws IOException {
        Path csv = Path.of(System.getProperty("quantgate.shared.dir", "../shared"), "datasets", "adult", "adult.csv");
        mlp = AdultMlp.load(csv);
        mlp.train(3, 17);
        fp32 = dir.resolve("adult-mlp.onnx");
        Files.write(fp32, mlp.toOnnx().toByteArray());
        // calibration: 16 batches of 32 training rows spread over the train split
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < 16; b++) {
            int from = b * 2000;
            float[] x = AdultMlp.flatten(mlp.trainX, from, from + 32);
            sb.append("{\"x\":{\"dims\":[32,").append(mlp.features).append("],\"data\":[");
            for (int i = 0; i < x.length; i++) {
                sb.append(i == 0 ? "" : ",").append(CanonicalJson.number(x[i]));
            }
            sb.append("]}}\n");
        }
        calibration = dir.resolve("calibration.jsonl");
        Files.writeString(calibration, sb.toString());
        fp32Accuracy = accuracy(Files.readAllBytes(fp32));
        System.out.printf(Locale.ROOT, "[adult mlp] %d features, FP32 test accuracy %.4f; %s%n", mlp.features,
                fp32Accuracy, OrtRuntime.describe());
        assertTrue(fp32Accuracy > 0.83, "the MLP learned something: " + fp32Accuracy);
    }

    private static double accuracy(byte[] model) {
        float[] x = AdultMlp.flatten(mlp.testX, 0, mlp.testX.length);
        try (ModelRuntime.Session s = RUNTIME.open(model)) {
            float[] logits = s.run(Map.of("x", TensorData.ofFloats(new long[] {mlp.testX.length, mlp.features}, x)))
                    .get("logit").floats();
            int correct = 0;
            for (int i = 0; i < logits.length; i++) {
                if ((logits[i] > 0 ? 1 : 0) == mlp.testY[i]) {
                    correct++;
                }
            }
            return correct / (double) logits.length;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"minmax", "percentile", "entropy"})
    void shouldStayWithinOnePointOfFp32(String method) throws IOException {
        Path out = dir.resolve("adult-" + method + ".onnx");
        QuantizationSpec spec = QuantizationSpec.defaults(Scheme.INT8_STATIC).with("calibration", method);
        QuantizationResult.Produced r = (QuantizationResult.Produced) new QuantizationEngine(RUNTIME).quantize(fp32, out, spec,
                Optional.of(CalibrationReader.read(calibration)));
        assertEquals(2, r.quantizedNodes().size());
        long qdq = OnnxModelReader.read(out).getGraph().getNodeList().stream().map(NodeProto::getOpType)
                .filter(op -> op.equals("QuantizeLinear") || op.equals("DequantizeLinear")).count();
        assertEquals(6, qdq, "Q+DQ on each activation, DQ on each weight");
        double acc = accuracy(Files.readAllBytes(out));
        System.out.printf(Locale.ROOT, "[adult mlp] int8-static %s: accuracy %.4f (FP32 %.4f)%n", method, acc, fp32Accuracy);
        assertTrue(Math.abs(acc - fp32Accuracy) <= 0.01, method + ": " + acc + " vs FP32 " + fp32Accuracy);
    }
}
