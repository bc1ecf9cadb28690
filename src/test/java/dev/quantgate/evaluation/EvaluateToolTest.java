package dev.quantgate.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.cli.Tool;
import dev.quantgate.cli.Tools;
import dev.quantgate.evaluation.cli.EvaluateTool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluateToolTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path source;
    Path variant;
    Path data;
    String out;
    String err;

    @BeforeEach
    void models() {
        source = TinyModels.binary(dir.resolve("source.onnx"), 2, 4f, -2f);
        variant = TinyModels.binary(dir.resolve("variant.onnx"), 2, 4.4f, -2.3f);
        StringBuilder csv = new StringBuilder("x0,x1,sex,race,y\n");
        for (int i = 0; i < 60; i++) {
            double x0 = (i * 37 % 60) / 60.0;
            csv.append(x0).append(',').append(1000.123 + i).append(',').append(i % 3 == 0 ? "Female" : "Male").append(',')
                    .append(i % 4 == 0 ? "Black" : "White").append(',').append(x0 + (i % 5 == 0 ? 0.3 : 0) > 0.5 ? 1 : 0).append('\n');
        }
        data = TinyModels.write(dir.resolve("eval.csv"), csv.toString());
    }

    private int run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = new EvaluateTool().run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }

    /** The arguments of a good run; {@code extra} adds flags or replaces a flag's value. */
    private String[] base(String... extra) {
        List<String> a = new ArrayList<>(List.of("--source", source.toString(), "--variant", variant.toString(),
                "--data", data.toString(), "--label", "y", "--sensitive", "sex,race", "--min-group-size", "5",
                "--bootstrap", "100"));
        for (int i = 0; i < extra.length; i++) {
            boolean valued = i + 1 < extra.length && !extra[i + 1].startsWith("--");
            int at = a.indexOf(extra[i]);
            if (at >= 0 && valued) {
                a.set(at + 1, extra[++i]);
            } else {
                a.add(extra[i]);
                if (valued) {
                    a.add(extra[++i]);
                }
            }
        }
        return a.toArray(new String[0]);
    }

    @Test
    void shouldBeFoundByTheToolDispatcher() {
        Tool tool = new Tools(getClass().getClassLoader()).find("evaluate").orElseThrow();
        assertTrue(tool instanceof EvaluateTool);
    }

    @Test
    void shouldWriteTheReportAndItsMarkdownAndExitZero() throws Exception {
        Path report = dir.resolve("out/report.json");
        Path md = dir.resolve("out/report.md");
        assertEquals(0, run(base("--intersections", "--threshold", "0.5", "--seed", "3", "--out", report.toString(),
                "--markdown", md.toString())), err);
        assertTrue(out.startsWith("wrote " + report), out);
        JsonNode r = JSON.readTree(report.toFile());
        assertEquals("quantgate.evaluation/v2", r.get("schema").asText());
        assertEquals(60, r.at("/dataset/rows").asInt());
        assertEquals(2, r.at("/dataset/features").asInt());
        assertTrue(r.at("/source/by_attribute/sex&race/groups").has("Female&Black"));
        assertTrue(r.at("/delta/overall/ci/accuracy").isArray());
        assertEquals(3, r.at("/config/bootstrap/seed").asInt());
        assertFalse(Files.readString(report).matches("(?s).*10[0-5][0-9]\\.123.*"), "feature values never appear in the report");
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            assertEquals(List.of("report.json", "report.md"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file left behind");
        }
        assertTrue(Files.readString(md).contains("## By sex&race"));
    }

    @Test
    void shouldExitFourOnAnIoFailureAndTwoOnBadInput() throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-directory"), "x");
        assertEquals(4, run(base("--out", blocker.resolve("report.json").toString())), err);
        assertTrue(err.contains("cannot write") && err.contains("try again"), err);
        assertFalse(err.contains("Exception"), err);
        assertEquals(2, run(base("--batch-size", "0")));
        assertTrue(err.contains("the batch size must be at least 1, not 0"), err);
        assertEquals(2, run(base("--interval", "wild")));
        assertTrue(err.contains("interval method must be auto, bca, percentile or basic"), err);
    }

    @Test
    void shouldRecordTheBatchSizeAndTheOptionsHash() throws Exception {
        assertEquals(0, run(base("--batch-size", "7", "--deployment-batch-size", "7")), err);
        JsonNode r = new ObjectMapper().readTree(out);
        assertEquals(7, r.at("/runtime/batch_size").asInt());
        assertEquals(7, r.at("/config/batch_size").asInt());
        assertEquals(7, r.at("/config/deployment_batch_size").asInt());
        assertEquals(dev.quantgate.evaluation.engine.EvaluationOptions.parse(
                new ObjectMapper().writeValueAsString(r.get("config"))).sha256(), r.at("/config_sha256").asText());
        assertTrue(r.at("/runtime/execution_providers").asText().endsWith("CPU"));
    }

    @Test
    void shouldGiveTheSameReportForTheSameSeed() {
        assertEquals(0, run(base("--seed", "9")));
        String first = out;
        assertEquals(0, run(base("--seed", "9", "--threads", "1")));
        assertEquals(first, out, "intervals do not depend on the thread count");
        assertEquals(0, run(base("--seed", "10")));
        assertFalse(first.equals(out), "another seed draws other resamples");
    }

    @Test
    void shouldReadPredictionsMadeElsewhere() throws Exception {
        Path preds = TinyModels.write(dir.resolve("preds.csv"),
                "y_true,pred_a,pred_b,sex\n1,1,1,F\n0,1,0,F\n1,0,0,M\n0,0,0,M\n1,1,0,M\n0,0,1,F\n");
        assertEquals(0, run("--predictions", preds.toString(), "--label", "y_true", "--sensitive", "sex",
                "--pred-source", "pred_a", "--pred-variant", "pred_b", "--min-group-size", "1", "--bootstrap", "0"), err);
        JsonNode r = JSON.readTree(out);
        assertEquals(3.0 / 6, r.at("/flips/overall").asDouble(), 1e-12);
        assertEquals(4.0 / 6, r.at("/source/overall/accuracy").asDouble(), 1e-12);
        assertEquals(3.0 / 6, r.at("/variant/overall/accuracy").asDouble(), 1e-12);
        assertTrue(r.get("warnings").toString().contains("no score columns"));
    }

    @Test
    void shouldExitTwoNamingTheProblemForBadInput() {
        String[][] cases = {
                base("--label", "income"),
                base("--sensitive", "sexx"),
                base("--bootstrp", "10"),
                base("--threshold", "high"),
                base("--privileged", "sex=Other"),
                {"--source", source.toString(), "--data", data.toString(), "--label", "y", "--sensitive", "sex"},
                {"--source", source.toString(), "--variant", variant.toString(), "--data", data.toString(), "--label", "y"},
                base("--classes", "no,yes"),
                base("--features", "x0,x1,x2"),
                base("--buckets", "age=20"),
        };
        String[] reasons = {
                "no label column 'income'",
                "no sensitive column 'sexx' (did you mean 'sex'?)",
                "unknown option --bootstrp (did you mean --bootstrap?)",
                "--threshold must be a number",
                "privileged group sex=Other does not occur in the data; its groups are [Female, Male]",
                "--variant is required",
                "--sensitive names the sensitive-attribute columns",
                "row 1, column 'y' is '0', which is not one of the classes [no, yes]",
                "no feature column 'x2'",
                "--buckets names [age], which --sensitive does not list",
        };
        for (int i = 0; i < cases.length; i++) {
            assertEquals(2, run(cases[i]), "case " + i + ": " + out);
            assertTrue(err.contains(reasons[i]), "case " + i + " said: " + err);
        }
    }

    @Test
    void shouldNameTheRowAndColumnOfABadCell() {
        String[][] bad = {{"x0,x1,sex,race,y\n0.1,2,Female,White,0\nabc,2,Male,White,1\n", "row 2, feature column 'x0' is 'abc', not a number"},
                {"x0,x1,sex,race,y\n0.1,NaN,Female,White,0\n", "row 1, feature column 'x1' is NaN"},
                {"x0,x1,sex,race,y\n0.1,,Female,White,0\n", "row 1, feature column 'x1' is empty"},
                {"x0,x1,sex,race,y\n0.1,1,,White,0\n", "row 1, sensitive column 'sex' is empty"},
                {"x0,x1,sex,race,y\n0.1,1,Male,White,2\n", "row 1, column 'y' is '2', which is not one of the classes [0, 1]"},
                {"x0,x1,sex,race,y\n", "has a header but no rows"}};
        for (String[] c : bad) {
            Path file = TinyModels.write(dir.resolve("bad.csv"), c[0]);
            assertEquals(2, run("--source", source.toString(), "--variant", variant.toString(), "--data", file.toString(),
                    "--label", "y", "--sensitive", "sex,race"));
            assertTrue(err.contains(c[1]), "expected '" + c[1] + "', got: " + err);
        }
    }

    @Test
    void shouldRefuseADatasetThatDoesNotMatchTheModelsSignature() {
        Path mlmodel = TinyModels.write(dir.resolve("MLmodel"), "signature:\n  inputs: '[{\"type\": \"double\", \"name\": \"x0\"}, "
                + "{\"type\": \"double\", \"name\": \"hours\"}]'\n");
        assertEquals(2, run(base("--signature", mlmodel.toString())));
        assertTrue(err.contains("the dataset does not match the model's signature: eval.csv has no column 'hours'"), err);
        Path tensor = TinyModels.write(dir.resolve("MLmodel2"), "signature:\n  inputs: '[{\"type\": \"tensor\", "
                + "\"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 3]}}]'\n");
        assertEquals(2, run(base("--signature", tensor.toString())));
        assertTrue(err.contains("takes 3 features, eval.csv has 2 columns"), err);
        Path good = TinyModels.write(dir.resolve("MLmodel3"), "signature:\n  inputs: '[{\"type\": \"double\", \"name\": \"x0\"}, "
                + "{\"type\": \"long\", \"name\": \"x1\"}]'\n");
        assertEquals(0, run(base("--signature", good.toString())), err);
    }

    @Test
    void shouldRefuseAModelWhoseOutputIsNotWhatTheTaskNeeds() {
        Path logits = TinyModels.linear(dir.resolve("logits.onnx"), 2, 1, new float[]{4f, 0f}, new float[]{-2f}, TinyModels.Head.NONE);
        assertEquals(2, run(base("--variant", logits.toString())));
        assertTrue(err.contains("model logits.onnx output 'y' is ") && err.contains("not a probability"), err);
        Path three = TinyModels.linear(dir.resolve("three.onnx"), 2, 3, new float[6], new float[3], TinyModels.Head.SOFTMAX);
        assertEquals(2, run(base("--source", three.toString(), "--variant", three.toString())));
        assertTrue(err.contains("gives 3 values per row; the binary task needs 1"), err);
        Path wide = TinyModels.binary(dir.resolve("wide.onnx"), 3, 1f, 0f);
        assertEquals(2, run(base("--variant", wide.toString())));
        assertTrue(err.contains("takes 3 features per row, the dataset mapping provides 2"), err);
        assertEquals(2, run(base("--output", "nope")));
        assertTrue(err.contains("has no output 'nope'; its outputs: probability (FLOAT tensor [-1, 1])"), err);
    }

    @Test
    void shouldLeaveAnExistingReportUntouchedWhenTheEvaluationFails() throws Exception {
        Path report = TinyModels.write(dir.resolve("report.json"), "previous");
        assertEquals(2, run(base("--label", "nope", "--out", report.toString())));
        assertEquals("previous", Files.readString(report));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}
