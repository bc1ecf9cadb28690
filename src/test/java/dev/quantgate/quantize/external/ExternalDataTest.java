package dev.quantgate.quantize.external;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.OutputOptions;
import dev.quantgate.quantize.QuantizationEngine;
import dev.quantgate.quantize.QuantizationException;
import dev.quantgate.quantize.QuantizationResult;
import dev.quantgate.quantize.TinyModels;
import dev.quantgate.quantize.onnx.ExternalData;
import dev.quantgate.quantize.onnx.ExternalDataException;
import dev.quantgate.quantize.onnx.FileHashes;
import dev.quantgate.quantize.onnx.ModelMetadata;
import dev.quantgate.quantize.onnx.OnnxModelReader;
import dev.quantgate.quantize.runtime.ModelRuntime;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.runtime.TensorData;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models with ONNX external data: read confined to the model's directory, quantized, written back with external data. */
class ExternalDataTest {

    private static final OrtRuntime RUNTIME = new OrtRuntime(1, false);
    private static final Pattern UUID_SIDECAR = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    @TempDir
    Path dir;

    private static QuantizationSpec spec(Scheme scheme) {
        QuantizationSpec s = QuantizationSpec.defaults(scheme);
        return s.has("min_tensor_size") ? s.with("min_tensor_size", 0L) : s;
    }

    private static QuantizationResult.Produced quantize(Path in, Path out, Scheme scheme) {
        return (QuantizationResult.Produced) new QuantizationEngine(RUNTIME).quantize(in, out, spec(scheme),
                Optional.empty());
    }

    private Path mlflowModel() throws IOException {
        Path src = Files.createDirectories(dir.resolve("mlflow-model"));
        return ExternalModels.saveLikeMlflow(TinyModels.embeddingMlp(17), src);
    }

    private static Map<String, TensorData> ids() {
        long[] ids = new long[16];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7) % 64;
        }
        return Map.of("ids", TensorData.ofLongs(new long[] {2, 8}, ids));
    }

    private static float[] run(Path model) {
        try (ModelRuntime.Session s = RUNTIME.open(model)) {
            return s.run(ids()).get("out").floats();
        }
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Scheme.class, names = {"INT8_DYNAMIC", "FP16", "INT4_WEIGHT_ONLY"})
    void shouldQuantizeAModelSavedAsMlflowSavesItAndWriteExternalDataBesideTheOutput(Scheme scheme) throws Exception {
        Path in = mlflowModel();
        String sidecar = ExternalModels.location(in, "W1");
        assertTrue(UUID_SIDECAR.matcher(sidecar).matches(), sidecar);
        assertEquals(List.of(in.getParent().resolve(sidecar).toRealPath()), ExternalData.verifyConfined(in));

        Path embedded = dir.resolve("embedded.onnx");
        Files.write(embedded, TinyModels.embeddingMlp(17).toByteArray());
        Path fromEmbedded = dir.resolve("from-embedded/q.onnx");
        Files.createDirectories(fromEmbedded.getParent());
        quantize(embedded, fromEmbedded, scheme);

        Path outDir = Files.createDirectories(dir.resolve("variant"));
        Path out = outDir.resolve("model.onnx");
        QuantizationResult.Produced r = quantize(in, out, scheme);

        assertTrue(r.source().external());
        assertEquals(Set.of("model.onnx", sidecar), r.source().sha256().keySet());
        assertTrue(r.output().external());
        List<String> written = listing(outDir);
        assertEquals(2, written.size(), "the .onnx file and one sidecar, no temporary files: " + written);
        String outSidecar = written.stream().filter(n -> !n.equals("model.onnx")).findFirst().orElseThrow();
        assertTrue(outSidecar.matches("model-" + UUID_SIDECAR.pattern() + "\\.data"), outSidecar);
        assertEquals(List.of(outDir.resolve(outSidecar).toRealPath()), ExternalData.verifyConfined(out));

        // every file's hash and the combined hash, recomputed here from the files and the documented formula
        Map<String, String> expected = new TreeMap<>();
        for (String f : written) {
            expected.put(f, sha256(outDir.resolve(f)));
        }
        assertEquals(expected, r.output().sha256());
        StringBuilder lines = new StringBuilder();
        expected.forEach((k, v) -> lines.append(k).append('\0').append(v).append('\n'));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(lines.toString().getBytes(StandardCharsets.UTF_8))), r.output().modelSha256());
        assertEquals(Files.size(out) + Files.size(outDir.resolve(outSidecar)), r.outputBytes());
        assertEquals(r.source().modelSha256(), ModelMetadata.read(OnnxModelReader.read(out))
                .get(ModelMetadata.SOURCE_MODEL_SHA256));

        // the same variant as from the self-contained model: same tensors, same outputs
        assertSameTensors(OnnxModelReader.read(fromEmbedded), OnnxModelReader.read(out));
        assertArrayEquals(run(fromEmbedded), run(out));
        float[] reference = run(embedded);
        float[] viaSidecar = run(in);
        assertArrayEquals(reference, viaSidecar, "the source read through its sidecar is the same model");
    }

    @Test
    void shouldReadAModelSpreadOverManyFiles() throws Exception {
        Path src = Files.createDirectories(dir.resolve("multi"));
        Path in = ExternalModels.saveOneFilePerTensor(TinyModels.embeddingMlp(17), src);
        List<Path> sidecars = ExternalData.verifyConfined(in);
        assertEquals(3, sidecars.size(), sidecars.toString());
        Path out = dir.resolve("out/multi-int8.onnx");
        QuantizationResult.Produced r = quantize(in, out, Scheme.INT8_DYNAMIC);
        assertEquals(Set.of("model.onnx", "weights/table.bin", "weights/W1.bin", "weights/W2.bin"),
                r.source().sha256().keySet());
        assertEquals(sha256(src.resolve("weights/W1.bin")), r.source().sha256().get("weights/W1.bin"));
        assertTrue(r.output().external());
        assertEquals(3, r.quantizedNodes().size(), r.toJsonLine());
        assertEquals(2 * 8 * 32, run(out).length);
    }

    @Test
    void shouldWriteExternalDataWhenTheOutputPassesTheThreshold() throws Exception {
        Path in = dir.resolve("tiny.onnx");
        Files.write(in, TinyModels.embeddingMlp(17).toByteArray());
        QuantizationEngine engine = new QuantizationEngine(RUNTIME, new OutputOptions(0));
        Path out = dir.resolve("o/tiny-fp16.onnx");
        QuantizationResult.Produced r = (QuantizationResult.Produced) engine.quantize(in, out, spec(Scheme.FP16),
                Optional.empty());
        assertFalse(r.source().external());
        assertTrue(r.output().external());
        assertEquals(2, r.output().sha256().size());
        Path selfContained = dir.resolve("p/tiny-fp16.onnx");
        QuantizationResult.Produced single = quantize(in, selfContained, Scheme.FP16);
        assertFalse(single.output().external(), "1.8 GB default threshold: a tiny model stays one file");
        assertEquals(List.of("tiny-fp16.onnx"), listing(selfContained.getParent()));
        assertArrayEquals(run(selfContained), run(out));
    }

    @Test
    void shouldRefuseALocationThatEscapesTheModelDirectory() throws Exception {
        Path in = mlflowModel();
        String good = ExternalModels.location(in, "W1");
        Files.copy(in.resolveSibling(good), dir.resolve("outside.bin"));
        for (String bad : List.of("../outside.bin", "sub/../../outside.bin", dir.resolve("outside.bin").toString())) {
            ExternalModels.relocate(in, "W1", bad);
            String msg = refuse(in);
            assertTrue(msg.contains("tensor 'W1'") && msg.contains("'" + bad + "'"), msg);
            assertTrue(msg.contains("escapes the model's directory") || msg.contains("is absolute"), msg);
            ExternalDataException e = assertThrows(ExternalDataException.class, () -> ExternalData.verifyConfined(in));
            assertEquals(msg, e.getMessage());
        }
    }

    @Test
    void shouldRefuseASymlinkLeadingOutOfTheModelDirectory() throws Exception {
        Path in = mlflowModel();
        String sidecar = ExternalModels.location(in, "W1");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere")).resolve("weights.bin");
        Files.move(in.resolveSibling(sidecar), elsewhere);
        Files.createSymbolicLink(in.resolveSibling(sidecar), elsewhere);
        String msg = refuse(in);
        assertTrue(msg.contains("tensor 'table'") && msg.contains(sidecar)
                && msg.contains("symbolic link that leads out of the model's directory"), msg);
    }

    @Test
    void shouldFollowASymlinkThatStaysInsideTheModelDirectory() throws Exception {
        Path in = mlflowModel();
        String sidecar = ExternalModels.location(in, "W1");
        Files.move(in.resolveSibling(sidecar), in.resolveSibling("real.bin"));
        Files.createSymbolicLink(in.resolveSibling(sidecar), in.resolveSibling("real.bin"));
        assertEquals(List.of(in.resolveSibling("real.bin").toRealPath()), ExternalData.verifyConfined(in));
    }

    @Test
    void shouldRefuseAMissingSidecar() throws Exception {
        Path in = mlflowModel();
        String sidecar = ExternalModels.location(in, "W1");
        Files.delete(in.resolveSibling(sidecar));
        String msg = refuse(in);
        assertTrue(msg.contains("tensor 'table'") && msg.contains(sidecar) && msg.contains("file not found"), msg);
    }

    @Test
    void shouldRefuseAShortSidecar() throws Exception {
        Path in = mlflowModel();
        Path sidecar = in.resolveSibling(ExternalModels.location(in, "W1"));
        byte[] all = Files.readAllBytes(sidecar);
        Files.write(sidecar, java.util.Arrays.copyOf(all, all.length - 100));
        String msg = refuse(in);
        assertTrue(msg.contains("tensor 'W2'") && msg.contains("is short") && msg.contains((all.length - 100) + " bytes"),
                msg);
    }

    @Test
    void shouldWriteOutputsWithTheModeOfAnyOtherFileNotOwnerOnly() throws Exception {
        Path in = mlflowModel();
        Path outDir = Files.createDirectories(dir.resolve("modes"));
        Path out = outDir.resolve("model.onnx");
        quantize(in, out, Scheme.INT8_DYNAMIC);
        Path plain = Files.createFile(outDir.resolve("plain.txt")); // the process's umask applies
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        for (String f : listing(outDir)) {
            assertEquals(expected, Files.getPosixFilePermissions(outDir.resolve(f)), f);
        }
        assertTrue(expected.contains(PosixFilePermission.OTHERS_READ) || !expected.contains(PosixFilePermission.GROUP_READ),
                "the umask decides, not a fixed 0600");
        Path single = dir.resolve("single.onnx");
        Files.write(single, TinyModels.floatMlp(17).toByteArray());
        Path singleOut = outDir.resolve("mlp-int8.onnx");
        quantize(single, singleOut, Scheme.INT8_DYNAMIC);
        assertEquals(expected, Files.getPosixFilePermissions(singleOut));
    }

    private String refuse(Path in) throws IOException {
        Path outDir = Files.createDirectories(dir.resolve("refused"));
        QuantizationException e = assertThrows(QuantizationException.class, () ->
                new QuantizationEngine(RUNTIME).quantize(in, outDir.resolve("q.onnx"), spec(Scheme.INT8_DYNAMIC),
                        Optional.empty()));
        assertInstanceOf(ExternalDataException.class, e);
        assertEquals(List.of(), listing(outDir), "nothing written");
        return e.getMessage();
    }

    private static void assertSameTensors(ModelProto a, ModelProto b) {
        Map<String, TensorProto> ta = new TreeMap<>();
        a.getGraph().getInitializerList().forEach(t -> ta.put(t.getName(), t));
        Map<String, TensorProto> tb = new TreeMap<>();
        b.getGraph().getInitializerList().forEach(t -> tb.put(t.getName(), t));
        assertEquals(ta.keySet(), tb.keySet());
        ta.forEach((name, t) -> {
            assertEquals(t.getDimsList(), tb.get(name).getDimsList(), name);
            assertEquals(t.getRawData(), tb.get(name).getRawData(), name);
        });
        assertEquals(a.getGraph().getNodeList(), b.getGraph().getNodeList());
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    static String shaOf(Path f) {
        return FileHashes.sha256(f);
    }
}
