package dev.quantgate.quantize;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.quantgate.cli.Tools;
import dev.quantgate.quantize.cli.QuantizeTool;
import dev.quantgate.quantize.runtime.ModelRuntime;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.runtime.TensorData;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models made only of {@code ai.onnx.ml} classic-ML operators: "nothing to quantize", not a fake variant, not an error. */
public class NotApplicableTest {

    private static final OrtRuntime RUNTIME = new OrtRuntime(1, false);

    @TempDir
    Path dir;

    /** x [N, 3] -> TreeEnsembleClassifier (3 stumps, 2 classes) -> label [N], probabilities [N, 2]. */
    public static ModelProto treeEnsemble() {
        long[] treeIds = {0, 0, 0, 1, 1, 1, 2, 2, 2};
        long[] nodeIds = {0, 1, 2, 0, 1, 2, 0, 1, 2};
        long[] features = {0, 0, 0, 1, 0, 0, 2, 0, 0};
        float[] values = {0.5f, 0, 0, 1.5f, 0, 0, -0.25f, 0, 0};
        String[] modes = {"BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF"};
        long[] trueIds = {1, 0, 0, 1, 0, 0, 1, 0, 0};
        long[] falseIds = {2, 0, 0, 2, 0, 0, 2, 0, 0};
        // each leaf votes for one class
        long[] classTree = {0, 0, 1, 1, 2, 2};
        long[] classNode = {1, 2, 1, 2, 1, 2};
        long[] classIds = {0, 1, 1, 0, 0, 1};
        float[] classWeights = {0.8f, 0.7f, 0.6f, 0.9f, 0.55f, 0.75f};
        NodeProto tree = NodeProto.newBuilder().setOpType("TreeEnsembleClassifier").setDomain("ai.onnx.ml")
                .setName("trees").addInput("x").addOutput("label").addOutput("probabilities")
                .addAttribute(ints("nodes_treeids", treeIds)).addAttribute(ints("nodes_nodeids", nodeIds))
                .addAttribute(ints("nodes_featureids", features)).addAttribute(floats("nodes_values", values))
                .addAttribute(strings("nodes_modes", modes)).addAttribute(ints("nodes_truenodeids", trueIds))
                .addAttribute(ints("nodes_falsenodeids", falseIds)).addAttribute(ints("class_treeids", classTree))
                .addAttribute(ints("class_nodeids", classNode)).addAttribute(ints("class_ids", classIds))
                .addAttribute(floats("class_weights", classWeights)).addAttribute(ints("classlabels_int64s", 0, 1))
                .addAttribute(AttributeProto.newBuilder().setName("post_transform").setType(AttributeProto.AttributeType.STRING)
                        .setS(ByteString.copyFromUtf8("NONE")))
                .build();
        return mlModel(tree, "probabilities", 2);
    }

    /** x [N, 3] -> LinearClassifier (2 classes, softmax) -> label, probabilities. */
    static ModelProto linearClassifier() {
        NodeProto lin = NodeProto.newBuilder().setOpType("LinearClassifier").setDomain("ai.onnx.ml").setName("logreg")
                .addInput("x").addOutput("label").addOutput("probabilities")
                .addAttribute(floats("coefficients", 0.5f, -1.25f, 2.0f, -0.5f, 1.25f, -2.0f))
                .addAttribute(floats("intercepts", 0.1f, -0.1f)).addAttribute(ints("classlabels_ints", 0, 1))
                .addAttribute(AttributeProto.newBuilder().setName("post_transform").setType(AttributeProto.AttributeType.STRING)
                        .setS(ByteString.copyFromUtf8("SOFTMAX")))
                .build();
        return mlModel(lin, "probabilities", 2);
    }

    private static ModelProto mlModel(NodeProto node, String probabilities, int classes) {
        GraphProto g = GraphProto.newBuilder().setName("classic-ml")
                .addInput(TinyModels.input("x", TensorProto.DataType.FLOAT_VALUE, -1, 3))
                .addOutput(TinyModels.input("label", TensorProto.DataType.INT64_VALUE, -1))
                .addOutput(TinyModels.input(probabilities, TensorProto.DataType.FLOAT_VALUE, -1, classes))
                .addNode(node).build();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("quantgate-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(3))
                .setGraph(g).build();
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void shouldAnswerNothingToQuantizeForATreeEnsembleWithEveryScheme(Scheme scheme) throws Exception {
        Path in = write("trees.onnx", treeEnsemble());
        assertRealModel(in);
        QuantizationResult.NotApplicable na = notApplicable(in, scheme);
        assertEquals("nothing to quantize: TreeEnsembleClassifier (ai.onnx.ml), variant not produced", na.reason());
        assertEquals(Files.size(in), na.source().bytes());
    }

    @Test
    void shouldAnswerNothingToQuantizeForALinearClassifier() throws Exception {
        Path in = write("logreg.onnx", linearClassifier());
        assertRealModel(in);
        QuantizationResult.NotApplicable na = notApplicable(in, Scheme.INT8_DYNAMIC);
        assertTrue(na.reason().startsWith("nothing to quantize: LinearClassifier (ai.onnx.ml)"), na.reason());
        assertTrue(na.toJsonLine().contains("\"result\":\"not_applicable\""), na.toJsonLine());
    }

    @Test
    void shouldExitThreeWithANotApplicableJsonLine() throws Exception {
        Path in = write("trees.onnx", treeEnsemble());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Tools(getClass().getClassLoader()).find("quantize").orElseThrow().run(
                new String[] {"--in", in.toString(), "--out", dir.resolve("trees-int8.onnx").toString(), "--scheme",
                        "int8-dynamic"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(QuantizeTool.NOT_APPLICABLE, code, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8).trim());
        assertEquals("not_applicable", json.get("result").asText());
        assertTrue(json.get("reason").asText().contains("nothing to quantize: TreeEnsembleClassifier"));
        assertEquals(64, json.get("source_sha256").asText().length());
        assertTrue(err.toString().contains("variant not produced"), err.toString());
        assertEquals(List.of("trees.onnx"), listing());
    }

    private QuantizationResult.NotApplicable notApplicable(Path in, Scheme scheme) throws Exception {
        QuantizationResult r = new QuantizationEngine(RUNTIME).quantize(in, dir.resolve("variant.onnx"),
                QuantizationSpec.defaults(scheme), Optional.empty());
        QuantizationResult.NotApplicable na = assertInstanceOf(QuantizationResult.NotApplicable.class, r);
        assertEquals(List.of(in.getFileName().toString()), listing(), "no variant written");
        return na;
    }

    /** The test model is one ONNX Runtime really runs: the classifier gives a label and probabilities per row. */
    private static void assertRealModel(Path in) {
        try (ModelRuntime.Session s = RUNTIME.open(in)) {
            Map<String, TensorData> out = s.run(Map.of("x", TensorData.ofFloats(new long[] {2, 3},
                    new float[] {0.1f, 2.0f, -1f, 0.9f, 1.0f, 0.5f})));
            assertEquals(2, out.get("label").longs().length);
            assertEquals(4, out.get("probabilities").floats().length);
        }
    }

    private Path write(String name, ModelProto m) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, m.toByteArray());
        return p;
    }

    private List<String> listing() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    private static AttributeProto floats(String name, float... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
        for (float x : v) {
            b.addFloats(x);
        }
        return b.build();
    }

    private static AttributeProto strings(String name, String... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String x : v) {
            b.addStrings(ByteString.copyFromUtf8(x));
        }
        return b.build();
    }
}
