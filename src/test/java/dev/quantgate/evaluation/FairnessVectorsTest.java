package dev.quantgate.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.engine.EvaluationData;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.engine.Task;
import dev.quantgate.evaluation.metrics.DisparityMethod;
import dev.quantgate.evaluation.metrics.FairnessMetrics;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FairnessVectorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> vectors() {
        return FairnessVectors.vectors();
    }

    @Test
    void shouldFindAllThreeVectors() {
        assertEquals(List.of("two_groups_24", "three_groups_30", "intersectional_sex_race_36"),
                vectors().stream().map(v -> v.get("name").asText()).toList());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void shouldReproduceEveryExpectedValue(JsonNode v) throws Exception {
        List<String> attributes = FairnessVectors.attributes(v);
        JsonNode between = report(v, attributes, DisparityMethod.BETWEEN_GROUPS, false);
        JsonNode toOverall = report(v, attributes, DisparityMethod.TO_OVERALL, false);
        JsonNode split = report(v, attributes, DisparityMethod.BETWEEN_GROUPS, true);
        int compared = FairnessVectors.check(v, between, toOverall, split, "source");
        // the variant made identical predictions: same figures, zero deltas, no flips
        FairnessVectors.check(v, between, toOverall, split, "variant");
        assertEquals(0.0, between.at("/flips/overall").asDouble());
        assertEquals(0.0, between.at("/delta/overall/accuracy").asDouble());
        int expectedLeaves = countLeaves(v.get("expected"));
        assertTrue(compared >= expectedLeaves, "compared " + compared + " of " + expectedLeaves + " expected values");
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void shouldAggregateEqualizedOddsByMeanAsFairlearnDoes(JsonNode v) {
        for (Iterator<Map.Entry<String, JsonNode>> s = v.at("/expected/fairlearn").fields(); s.hasNext(); ) {
            Map.Entry<String, JsonNode> section = s.next();
            if (section.getKey().contains("|")) {
                continue; // single attributes here; the intersection is covered through the engine
            }
            for (DisparityMethod method : DisparityMethod.values()) {
                FairnessMetrics fm = FairnessVectors.fairness(v, section.getKey(), method);
                JsonNode eod = section.getValue().get("equalized_odds_difference").get(method.key());
                JsonNode eor = section.getValue().get("equalized_odds_ratio").get(method.key());
                assertEquals(eod.get("mean").asDouble(), fm.equalizedOddsDifference(FairnessMetrics.Aggregation.MEAN), 1e-12);
                assertEquals(eod.get("worst_case").asDouble(), fm.equalizedOddsDifference(FairnessMetrics.Aggregation.WORST_CASE), 1e-12);
                assertEquals(eor.get("mean").asDouble(), fm.equalizedOddsRatio(FairnessMetrics.Aggregation.MEAN), 1e-12);
                assertEquals(eor.get("worst_case").asDouble(), fm.equalizedOddsRatio(FairnessMetrics.Aggregation.WORST_CASE), 1e-12);
            }
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void shouldHaveExpectedFloatsMatchingTheirExactFractions(JsonNode v) {
        assertTrue(FairnessVectors.checkExact(v.get("expected"), v.get("expected_exact"), v.get("name").asText()) > 50);
    }

    private static int countLeaves(JsonNode n) {
        if (n.isObject()) {
            int c = 0;
            for (JsonNode x : n) {
                c += countLeaves(x);
            }
            return c;
        }
        return n.isNumber() ? 1 : 0;
    }

    /** Evaluates the vector through the engine; with {@code split}, the only attribute is the privileged indicator. */
    private static JsonNode report(JsonNode v, List<String> attributes, DisparityMethod method, boolean split) throws Exception {
        int n = v.get("y_true").size();
        List<String> attrs = split ? List.of("privileged") : attributes;
        List<List<String>> names = new ArrayList<>();
        int[][] groups = new int[attrs.size()][n];
        for (int a = 0; a < attrs.size(); a++) {
            TreeSet<String> values = new TreeSet<>();
            for (int r = 0; r < n; r++) {
                values.add(cell(v, attrs.get(a), r, split));
            }
            List<String> sorted = List.copyOf(values);
            names.add(sorted);
            for (int r = 0; r < n; r++) {
                groups[a][r] = sorted.indexOf(cell(v, attrs.get(a), r, split));
            }
        }
        int[] yPred = FairnessVectors.ints(v.get("y_pred"));
        EvaluationData data = new EvaluationData(n, Task.BINARY, List.of("0", "1"), attrs, names, groups, null,
                FairnessVectors.ints(v.get("y_true")), null,
                new EvaluationData.Predictions(yPred, null, null, null),
                new EvaluationData.Predictions(yPred.clone(), null, null, null), null, null, List.of());
        EvaluationOptions o = new EvaluationOptions().minGroupSize(1).method(method).bootstrap(0)
                .intersections(attrs.size() > 1);
        attrs.forEach(a -> o.sensitive(SensitiveAttribute.categorical(a)));
        if (!split) {
            v.at("/aif360/privileged_group").fields().forEachRemaining(e -> o.privileged(e.getKey(), e.getValue().asText()));
        }
        return JSON.readTree(JsonWriter.write(EvaluationReport.build(new Evaluator().evaluate(data, o))));
    }

    private static String cell(JsonNode v, String attribute, int row, boolean split) {
        return split ? (FairnessVectors.privileged(v, row) ? "yes" : "no") : FairnessVectors.value(v, attribute, row);
    }
}
