package dev.quantgate.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.cli.EvaluateTool;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fairness vectors written as predictions files and evaluated through the command line: the source's
 * predictions are the vector's, the variant's flip every fifth row. Every expected value is reproduced from the
 * JSON report, and the flips and deltas are checked against the rows.
 */
class PredictionsModeVectorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static List<JsonNode> vectors() {
        return FairnessVectors.vectors();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void shouldReproduceEveryVectorValueThroughTheCommandLine(JsonNode v) throws Exception {
        List<String> attributes = FairnessVectors.attributes(v);
        int[] y = FairnessVectors.ints(v.get("y_true"));
        int[] p = FairnessVectors.ints(v.get("y_pred"));
        StringBuilder csv = new StringBuilder("y_true,y_pred_source,y_pred_variant," + String.join(",", attributes) + ",privileged\n");
        int flips = 0;
        int variantCorrect = 0;
        for (int r = 0; r < y.length; r++) {
            int variant = r % 5 == 0 ? 1 - p[r] : p[r];
            flips += variant != p[r] ? 1 : 0;
            variantCorrect += variant == y[r] ? 1 : 0;
            csv.append(y[r]).append(',').append(p[r]).append(',').append(variant);
            for (String a : attributes) {
                csv.append(',').append(FairnessVectors.value(v, a, r));
            }
            csv.append(',').append(FairnessVectors.privileged(v, r) ? "yes" : "no").append('\n');
        }
        Path preds = Files.writeString(dir.resolve("preds.csv"), csv);
        List<String> privileged = new ArrayList<>();
        v.at("/aif360/privileged_group").fields().forEachRemaining(e -> privileged.add(e.getKey() + "=" + e.getValue().asText()));
        String sensitive = String.join(",", attributes);
        JsonNode between = run(preds, "--sensitive", sensitive, "--intersections", "--privileged", String.join(",", privileged));
        JsonNode toOverall = run(preds, "--sensitive", sensitive, "--intersections", "--method", "to_overall");
        JsonNode split = run(preds, "--sensitive", "privileged");
        int compared = FairnessVectors.check(v, between, toOverall, split, "source");
        int expectedLeaves = FairnessVectors.countLeaves(v.get("expected"));
        assertTrue(compared >= expectedLeaves, "compared " + compared + " of " + expectedLeaves + " expected values");
        assertEquals((double) flips / y.length, between.at("/flips/overall").asDouble(), 1e-12);
        assertEquals((double) variantCorrect / y.length, between.at("/variant/overall/accuracy").asDouble(), 1e-12);
        assertEquals(between.at("/variant/overall/accuracy").asDouble() - between.at("/source/overall/accuracy").asDouble(),
                between.at("/delta/overall/accuracy").asDouble(), 1e-12);
        assertEquals("y_pred_source", between.at("/models/source/predictions_column").asText());
    }

    private JsonNode run(Path preds, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--predictions", preds.toString(), "--label", "y_true",
                "--min-group-size", "1", "--bootstrap", "50"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new EvaluateTool().run(args.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }
}
