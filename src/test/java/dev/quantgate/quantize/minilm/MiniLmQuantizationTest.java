package dev.quantgate.quantize.minilm;

import dev.quantgate.quantize.IntegerKernels;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.quantgate.quantize.QuantizationEngine;
import dev.quantgate.quantize.QuantizationResult;
import dev.quantgate.quantize.external.ExternalModels;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * all-MiniLM-L6-v2 end to end with each scheme's defaults: the output runs in ONNX Runtime and its
 * sentence embeddings stay close to FP32 (the figures for all 360 sentences and latency are the
 * benchmark's, {@code bench/quantize-minilm.sh}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MiniLmQuantizationTest {

    private static final int SENTENCES = 100;

    @TempDir
    static Path dir;

    private Path fp32;
    private OrtSession reference;
    private final List<Encoding> sentences = new ArrayList<>();
    private final QuantizationEngine engine = new QuantizationEngine(new OrtRuntime(2, true));

    @BeforeAll
    void loadModelAndSentences() throws Exception {
        System.out.println("[minilm] " + OrtRuntime.describe());
        fp32 = MiniLm.extract(MiniLm.FP32, dir);
        reference = MiniLm.open(fp32, 2);
        try (MiniLm minilm = new MiniLm(dir)) {
            for (String s : Files.readAllLines(Path.of("bench/sentences.txt")).subList(0, SENTENCES)) {
                sentences.add(minilm.encode(s));
            }
        }
    }

    @AfterAll
    void close() throws OrtException {
        if (reference != null) {
            reference.close();
        }
    }

    private double[] quantizeAndCompare(QuantizationSpec spec, String name) throws IOException, OrtException {
        Path out = dir.resolve(name + ".onnx");
        QuantizationResult.Produced r = (QuantizationResult.Produced) engine.quantize(fp32, out, spec, Optional.empty());
        try (OrtSession s = MiniLm.open(out, 2)) {
            double[] f = MiniLm.fidelity(reference, s, sentences);
            System.out.printf(Locale.ROOT, "[minilm] %s bytes=%d cos_mean=%.5f cos_min=%.5f quantized=%d kept=%d%n",
                    name, Files.size(out), f[0], f[1], r.quantizedNodes().size(), r.keptNodes().size());
            return new double[] {f[0], f[1], Files.size(out)};
        }
    }

    @Test
    void shouldBeatTheOnnxRuntimeInt8PeerWithInt8Dynamic() throws Exception {
        // on a CPU whose integer kernels saturate, 7-bit weights, as ONNX Runtime advises (see IntegerKernels)
        double[] ours = quantizeAndCompare(QuantizationSpec.defaults(Scheme.INT8_DYNAMIC)
                .with("reduce_range", IntegerKernels.saturating()), "int8-dynamic");
        Path peer = MiniLm.extract(MiniLm.PEER, dir);
        double[] peerFid;
        try (OrtSession p = MiniLm.open(peer, 2)) {
            peerFid = MiniLm.fidelity(reference, p, sentences);
        }
        System.out.printf(Locale.ROOT, "[minilm] ONNX Runtime's int8 peer: cos_mean=%.5f cos_min=%.5f (integer kernels %s)%n",
                peerFid[0], peerFid[1], IntegerKernels.saturating() ? "saturating: no VNNI" : "with VNNI");
        assertTrue(ours[2] <= Files.size(peer), "size " + ours[2] + " vs peer " + Files.size(peer));
        assertTrue(ours[0] > peerFid[0], "ours " + ours[0] + " vs peer " + peerFid[0]);
        // the floor set where the kernels have VNNI; without it ONNX Runtime's 16-bit lanes cost the peer and us alike
        assertTrue(ours[0] >= (IntegerKernels.saturating() ? 0.994 : 0.996), "cos_mean " + ours[0]);
        assertTrue(ours[1] >= 0.98, "cos_min " + ours[1]);
    }

    @Test
    void shouldQuantizeMiniLmSavedAsMlflowSavesItToTheSameVariant() throws Exception {
        Path mlflowDir = Files.createDirectories(dir.resolve("mlflow-model"));
        Path src = ExternalModels.saveLikeMlflow(ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(fp32)),
                mlflowDir);
        Path out = Files.createDirectories(dir.resolve("mlflow-variant")).resolve("model.onnx");
        QuantizationResult.Produced ext = (QuantizationResult.Produced) engine.quantize(src, out,
                QuantizationSpec.defaults(Scheme.INT8_DYNAMIC), Optional.empty());
        assertTrue(ext.source().external() && ext.output().external(), ext.toJsonLine());
        double[] embedded = quantizeAndCompare(QuantizationSpec.defaults(Scheme.INT8_DYNAMIC), "int8-dynamic-embedded");
        try (OrtSession s = MiniLm.open(out, 2)) {
            double[] f = MiniLm.fidelity(reference, s, sentences);
            System.out.printf(Locale.ROOT, "[minilm] int8-dynamic from external data: bytes=%d cos_mean=%.5f cos_min=%.5f%n",
                    ext.outputBytes(), f[0], f[1]);
            assertEquals(embedded[0], f[0], 1e-9, "same fidelity as from the self-contained model");
            assertEquals(embedded[1], f[1], 1e-9);
        }
        assertTrue(ext.outputBytes() <= embedded[2] + 32768, "external references and page alignment cost a few KiB: "
                + ext.outputBytes() + " vs " + embedded[2]);
    }

    @Test
    void shouldKeepInt4WithinTargets() throws Exception {
        double[] ours = quantizeAndCompare(QuantizationSpec.defaults(Scheme.INT4_WEIGHT_ONLY), "int4-weight-only");
        assertTrue(ours[2] <= 19_500_000, "size " + ours[2]);
        assertTrue(ours[0] >= 0.97, "cos_mean " + ours[0]);
    }

    @Test
    void shouldRunInt4WithFourBitEmbeddings() throws Exception {
        double[] ours = quantizeAndCompare(QuantizationSpec.defaults(Scheme.INT4_WEIGHT_ONLY)
                .with("embedding_bits", 4L), "int4-embedding4");
        assertTrue(ours[2] <= 15_000_000, "size " + ours[2]);
        assertTrue(ours[0] >= 0.96, "cos_mean " + ours[0]);
    }

    @Test
    void shouldKeepFp16AtHalfTheSizeAndFullFidelity() throws Exception {
        double[] ours = quantizeAndCompare(QuantizationSpec.defaults(Scheme.FP16), "fp16");
        assertTrue(ours[2] <= 0.51 * Files.size(fp32), "size " + ours[2]);
        assertTrue(ours[0] >= 0.9999, "cos_mean " + ours[0]);
        assertTrue(ours[1] >= 0.999, "cos_min " + ours[1]);
    }
}
