package dev.quantgate.evaluation.adult;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.dataset.CsvReader;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.evaluation.report.JsonWriter;
import dev.quantgate.evaluation.report.MarkdownReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A logistic regression trained on UCI Adult and a coarsened copy of it, evaluated on the UCI test split. */
class AdultEvaluationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEST_FROM = AdultFixture.TRAIN_ROWS;
    private static final int TEST_TO = 48_842;
    /** The test split has 46 Female&Other rows and 66 Female&Amer-Indian-Eskimo: both fall under this. */
    private static final int MIN_GROUP = 80;

    @TempDir
    static Path dir;
    static AdultFixture.Files3 files;
    static EvaluationResult result;
    static JsonNode report;

    @BeforeAll
    static void evaluate() throws Exception {
        files = AdultFixture.prepare(dir, TEST_FROM, TEST_TO);
        EvaluationOptions o = new EvaluationOptions().labelColumn("income").classes(List.of("<=50K", ">50K"))
                .features(AdultFixture.FEATURES).sensitive(SensitiveAttribute.categorical("sex"))
                .sensitive(SensitiveAttribute.categorical("race")).intersections(true)
                .privileged("sex", "Male").privileged("race", "White").minGroupSize(MIN_GROUP).bootstrap(200).seed(11);
        result = new Evaluator().evaluateModels(files.source(), files.variant(), files.data(), o);
        report = JSON.readTree(JsonWriter.write(EvaluationReport.build(result)));
    }

    @Test
    void shouldCountRowsAndGroupsAsTheDatasetHasThem() {
        assertEquals(TEST_TO - TEST_FROM, report.at("/dataset/rows").asInt());
        int female = 0;
        int blackFemale = 0;
        for (int i = TEST_FROM; i < TEST_TO; i++) {
            female += files.encoded().sex()[i].equals("Female") ? 1 : 0;
            blackFemale += files.encoded().sex()[i].equals("Female") && files.encoded().race()[i].equals("Black") ? 1 : 0;
        }
        assertEquals(female, report.at("/source/by_attribute/sex/groups/Female/count").asInt());
        assertEquals(blackFemale, report.at("/source/by_attribute/sex&race/groups/Female&Black/count").asInt());
        assertEquals("quantgate.evaluation/v2", report.get("schema").asText());
        assertEquals(64, report.at("/models/source/sha256").asText().length());
    }

    @Test
    void shouldMatchSelectionRatesAndFlipsRecomputedFromTheModelsInJava() {
        double[] selected = new double[2];
        double[] rows = new double[2];
        double flips = 0;
        for (int i = TEST_FROM; i < TEST_TO; i++) {
            double[] x = rounded(files.encoded().x()[i]);
            boolean s = files.sourceModel().probability(x) >= 0.5;
            boolean v = files.variantModel().probability(x) >= 0.5;
            int g = files.encoded().sex()[i].equals("Female") ? 0 : 1;
            rows[g]++;
            selected[g] += s ? 1 : 0;
            flips += s != v ? 1 : 0;
        }
        // float32 in ONNX Runtime vs float64 here: a row within ~1e-7 of the threshold may differ
        assertEquals(selected[0] / rows[0], report.at("/source/by_attribute/sex/groups/Female/selection_rate").asDouble(), 1e-3);
        assertEquals(selected[1] / rows[1], report.at("/source/by_attribute/sex/groups/Male/selection_rate").asDouble(), 1e-3);
        double flipRate = flips / (TEST_TO - TEST_FROM);
        assertTrue(flipRate > 0, "the coarsened variant changes some predictions");
        assertEquals(flipRate, report.at("/flips/overall").asDouble(), 1e-3);
        assertTrue(report.at("/source/overall/accuracy").asDouble() > 0.8, "a sensible classifier");
        assertTrue(report.at("/source/overall/roc_auc").asDouble() > 0.8);
    }

    @Test
    void shouldPutAnIntervalBesideEveryDeltaAndFairnessFigure() {
        JsonNode delta = report.at("/delta/overall");
        for (Iterator<String> it = delta.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals("ci") || k.equals("count") || k.equals("support")) {
                continue;
            }
            JsonNode ci = delta.get("ci").get(k);
            assertNotNull(ci, "interval for delta " + k);
            assertTrue(ci.get(0).asDouble() <= delta.get(k).asDouble() + 1e-12 || ci.get(1).asDouble() >= ci.get(0).asDouble(), k);
        }
        JsonNode fairness = report.at("/variant/by_attribute/sex/fairness");
        assertTrue(fairness.get("ci").get("demographic_parity_difference").isArray());
        double low = report.at("/delta/by_attribute/sex/fairness/ci/equalized_odds_difference/0").asDouble();
        double high = report.at("/delta/by_attribute/sex/fairness/ci/equalized_odds_difference/1").asDouble();
        assertTrue(low <= high);
        assertEquals("Male", report.at("/source/by_attribute/sex/fairness/aif360/privileged_group").asText());
        assertTrue(report.at("/source/by_attribute/sex/fairness/aif360/disparate_impact").asDouble() < 1,
                "women are selected less often than men on Adult");
    }

    @Test
    void shouldReportEverySmallGroupWithItsFiguresIntervalsAndLowSupport() {
        JsonNode groups = report.at("/source/by_attribute/sex&race/groups");
        int low = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = groups.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> g = it.next();
            JsonNode group = g.getValue();
            assertTrue(group.get("selection_rate").isNumber(), g.getKey() + " has its figures, however small");
            assertTrue(group.at("/ci/accuracy").isArray(), g.getKey() + " has per-group intervals");
            assertTrue(report.at("/flips/by_attribute/sex&race").get(g.getKey()).isNumber(), g.getKey());
            if (group.get("count").asInt() < MIN_GROUP) {
                low++;
                assertEquals("low", group.get("support").asText(), g.getKey());
                assertTrue(report.get("warnings").toString().contains("sex&race=" + g.getKey() + " has "
                        + group.get("count").asInt() + " rows"), g.getKey() + " is listed in warnings");
            } else {
                assertEquals("ok", group.get("support").asText(), g.getKey());
            }
        }
        assertEquals(10, groups.size(), "all 2 x 5 cells are reported");
        assertTrue(low > 0, "the test split has cells under " + MIN_GROUP + " rows (Female&Other)");
        assertTrue(report.get("warnings").toString().contains("low_support"));
    }

    @Test
    void shouldGiveFairnessOverAllGroupsAndOverSupportedGroups() {
        JsonNode all = report.at("/source/by_attribute/sex&race/fairness");
        JsonNode supported = report.at("/source/by_attribute/sex&race/fairness_supported");
        // a max − min over more groups can only be as wide or wider
        assertTrue(all.get("demographic_parity_difference").asDouble()
                >= supported.get("demographic_parity_difference").asDouble() - 1e-15);
        assertTrue(all.get("demographic_parity_difference").asDouble()
                > supported.get("demographic_parity_difference").asDouble()
                || all.get("equalized_odds_difference").asDouble() > supported.get("equalized_odds_difference").asDouble(),
                "the small cells widen at least one disparity");
        assertTrue(supported.at("/ci/equalized_odds_difference").isArray());
        // with every group above the minimum, the two forms agree
        JsonNode sexAll = report.at("/source/by_attribute/sex/fairness");
        JsonNode sexSupported = report.at("/source/by_attribute/sex/fairness_supported");
        assertEquals(sexAll.get("equalized_odds_difference").asDouble(), sexSupported.get("equalized_odds_difference").asDouble());
    }

    @Test
    void shouldNameTheGroupHurtMost() {
        JsonNode hurt = report.at("/impact/group_hurt_most");
        double drop = hurt.get("accuracy_drop").asDouble();
        JsonNode drops = report.at("/impact/accuracy_drop/by_attribute/" + hurt.get("attribute").asText().replace("/", "~1"));
        assertEquals(drops.get(hurt.get("group").asText()).asDouble(), drop);
        for (JsonNode section : report.at("/impact/accuracy_drop/by_attribute")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
                JsonNode v = it.next().getValue();
                if (v.isNumber()) {
                    assertTrue(v.asDouble() <= drop);
                }
            }
        }
        assertTrue(MarkdownReport.render(result).contains("Group hurt most: **" + hurt.get("attribute").asText()));
    }

    @Test
    void shouldShowPerGroupNumbersAReaderCanCheckByHandOnASlice() throws Exception {
        Path slice = dir.resolve("slice.csv");
        AdultFixture.writeCsv(files.encoded(), TEST_FROM, TEST_FROM + 60, slice);
        EvaluationOptions o = new EvaluationOptions().labelColumn("income").classes(List.of("<=50K", ">50K"))
                .features(AdultFixture.FEATURES).sensitive(SensitiveAttribute.categorical("sex")).minGroupSize(1).bootstrap(0);
        JsonNode r = JSON.readTree(JsonWriter.write(EvaluationReport.build(
                new Evaluator().evaluateModels(files.source(), files.variant(), slice, o))));
        // by hand: read the slice back, predict with the trained weights, count per group
        int[][] c = new int[2][4]; // [Female, Male][tn, fp, fn, tp]
        try (CsvReader in = new CsvReader(Files.newBufferedReader(slice, StandardCharsets.UTF_8), "slice")) {
            String[] row;
            while ((row = in.next()) != null) {
                double[] x = new double[AdultFixture.FEATURES.size()];
                for (int j = 0; j < x.length; j++) {
                    x[j] = Double.parseDouble(row[j]);
                }
                int y = row[in.indexOf("income")].equals(">50K") ? 1 : 0;
                int p = files.sourceModel().probability(x) >= 0.5 ? 1 : 0;
                c[row[in.indexOf("sex")].equals("Female") ? 0 : 1][y * 2 + p]++;
            }
        }
        String[] names = {"Female", "Male"};
        for (int g = 0; g < 2; g++) {
            int[] k = c[g];
            int n = k[0] + k[1] + k[2] + k[3];
            JsonNode group = r.at("/source/by_attribute/sex/groups/" + names[g]);
            assertEquals(n, group.get("count").asInt());
            assertEquals((k[1] + k[3]) / (double) n, group.get("selection_rate").asDouble(), 1e-12, names[g]);
            assertEquals((k[0] + k[3]) / (double) n, group.get("accuracy").asDouble(), 1e-12, names[g]);
            if (k[2] + k[3] > 0) {
                assertEquals(k[3] / (double) (k[2] + k[3]), group.get("true_positive_rate").asDouble(), 1e-12, names[g]);
            }
        }
        assertEquals(60, c[0][0] + c[0][1] + c[0][2] + c[0][3] + c[1][0] + c[1][1] + c[1][2] + c[1][3]);
    }

    /** Features as written to the CSV (six decimals), so the Java predictions see the same inputs. */
    private static double[] rounded(double[] x) {
        double[] out = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = x[j] == Math.rint(x[j]) ? x[j] : Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6f", x[j]));
        }
        return out;
    }
}
