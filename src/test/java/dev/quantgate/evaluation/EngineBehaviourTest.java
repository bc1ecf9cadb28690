package dev.quantgate.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.engine.Task;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineBehaviourTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode json(EvaluationResult r) throws Exception {
        return JSON.readTree(JsonWriter.write(EvaluationReport.build(r)));
    }

    private static EvaluationOptions options(String... sensitive) {
        EvaluationOptions o = new EvaluationOptions().minGroupSize(1).bootstrap(0);
        for (String s : sensitive) {
            o.sensitive(SensitiveAttribute.categorical(s));
        }
        return o;
    }

    private static final double[] X = {-2, -1, -0.5, 0, 0.25, 0.5, 1, 1.5, 2, 3};

    private Path dataset(String label) {
        StringBuilder csv = new StringBuilder("x0,x1,sex,y\n");
        for (int i = 0; i < X.length; i++) {
            csv.append(X[i]).append(',').append(i).append(',').append(i % 2 == 0 ? "F" : "M").append(',')
                    .append(label.equals("binary") ? String.valueOf(X[i] > 0.3 ? 1 : 0)
                            : label.equals("class") ? String.valueOf("abc".charAt(i % 3)) : String.valueOf(2 * X[i] + (i % 3) * 0.1))
                    .append('\n');
        }
        return TinyModels.write(dir.resolve(label + ".csv"), csv.toString());
    }

    @Test
    void shouldPredictPositiveAtOrAboveTheThreshold() throws Exception {
        Path model = TinyModels.binary(dir.resolve("m.onnx"), 2, 1f, 0f);
        Path data = dataset("binary");
        for (double t : new double[]{0.5, 0.7}) {
            JsonNode r = json(new Evaluator().evaluateModels(model, model, data, options("sex").labelColumn("y").threshold(t)));
            long expected = java.util.Arrays.stream(X).filter(x -> 1 / (1 + Math.exp(-x)) >= t).count();
            assertEquals(expected / 10.0, r.at("/source/overall/selection_rate").asDouble(), 1e-12, "threshold " + t);
            assertEquals(0.0, r.at("/flips/overall").asDouble());
        }
    }

    @Test
    void shouldReportErrorsForRegression() throws Exception {
        Path source = TinyModels.linear(dir.resolve("r1.onnx"), 2, 1, new float[]{2f, 0f}, new float[]{0f}, TinyModels.Head.NONE);
        Path variant = TinyModels.linear(dir.resolve("r2.onnx"), 2, 1, new float[]{2f, 0f}, new float[]{0.5f}, TinyModels.Head.NONE);
        JsonNode r = json(new Evaluator().evaluateModels(source, variant, dataset("value"),
                options("sex").task(Task.REGRESSION).labelColumn("y")));
        double maeS = 0;
        double maeV = 0;
        double mseV = 0;
        for (int i = 0; i < X.length; i++) {
            double target = 2 * X[i] + (i % 3) * 0.1;
            maeS += Math.abs(2 * X[i] - target) / X.length;
            maeV += Math.abs(2 * X[i] + 0.5 - target) / X.length;
            mseV += Math.pow(2 * X[i] + 0.5 - target, 2) / X.length;
        }
        assertEquals(maeS, r.at("/source/overall/mean_absolute_error").asDouble(), 1e-6);
        assertEquals(maeV, r.at("/variant/overall/mean_absolute_error").asDouble(), 1e-6);
        assertEquals(Math.sqrt(mseV), r.at("/variant/overall/root_mean_squared_error").asDouble(), 1e-6);
        assertEquals(maeV - maeS, r.at("/delta/overall/mean_absolute_error").asDouble(), 1e-6);
        assertTrue(r.at("/source/by_attribute/sex/fairness").has("mean_absolute_error_difference"));
        assertFalse(r.has("flips"), "no labels to flip in regression");
    }

    @Test
    void shouldMeasureFidelityWithoutLabels() throws Exception {
        Path source = TinyModels.linear(dir.resolve("e1.onnx"), 2, 2, new float[]{1, 0, 0, 1}, new float[]{0, 0}, TinyModels.Head.NONE);
        Path variant = TinyModels.linear(dir.resolve("e2.onnx"), 2, 2, new float[]{1, 0, 0, 1}, new float[]{0.25f, 0}, TinyModels.Head.NONE);
        EvaluationResult result = new Evaluator().evaluateModels(source, variant, dataset("binary"),
                options("sex").task(Task.FIDELITY).features(List.of("x0", "x1")));
        JsonNode r = json(result);
        assertTrue(dev.quantgate.evaluation.report.MarkdownReport.render(result).contains("## Fidelity (variant against source)"));
        double cos = 0;
        for (int i = 0; i < X.length; i++) {
            double a0 = X[i];
            double a1 = i;
            double b0 = X[i] + 0.25;
            cos += (a0 * b0 + a1 * a1) / Math.sqrt((a0 * a0 + a1 * a1) * (b0 * b0 + a1 * a1)) / X.length;
        }
        assertEquals(cos, r.at("/fidelity/overall/cosine_similarity").asDouble(), 1e-6);
        assertEquals(0.25, r.at("/fidelity/overall/max_absolute_error").asDouble(), 1e-6);
        assertEquals(0.125, r.at("/fidelity/overall/mean_absolute_error").asDouble(), 1e-6);
        assertTrue(r.at("/fidelity/by_attribute/sex/groups/F/cosine_similarity").isNumber());
        assertFalse(r.has("source"));
    }

    @Test
    void shouldEvaluateMulticlassFromProbabilitiesAndRefuseMixedOutputs() throws Exception {
        float[] w = {1, -1, 0, 0, 0, 1};
        Path probs = TinyModels.linear(dir.resolve("c.onnx"), 2, 3, w, new float[]{0, 0, 0.5f}, TinyModels.Head.SOFTMAX);
        Path labels = TinyModels.linear(dir.resolve("l.onnx"), 2, 3, w, new float[]{0, 0, 0.5f}, TinyModels.Head.ARGMAX);
        EvaluationOptions o = options("sex").task(Task.MULTICLASS).labelColumn("y").classes(List.of("a", "b", "c"));
        JsonNode r = json(new Evaluator().evaluateModels(probs, probs, dataset("class"), o));
        int correct = 0;
        for (int i = 0; i < X.length; i++) {
            double[] logits = {X[i], -X[i], 0.5 + i};
            int best = 0;
            for (int k = 1; k < 3; k++) {
                best = logits[k] > logits[best] ? k : best;
            }
            correct += best == i % 3 ? 1 : 0;
        }
        assertEquals(correct / 10.0, r.at("/source/overall/accuracy").asDouble(), 1e-12);
        assertTrue(r.at("/source/overall/log_loss").isNumber());
        assertTrue(r.at("/source/by_attribute/sex/fairness").has("accuracy_difference"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> new Evaluator().evaluateModels(probs, labels, dataset("class"), o));
        assertTrue(e.getMessage().contains("differ in kind"), e.getMessage());
        JsonNode l = json(new Evaluator().evaluateModels(labels, labels, dataset("class"), o));
        assertEquals(correct / 10.0, l.at("/source/overall/accuracy").asDouble(), 1e-12);
        assertTrue(l.get("warnings").toString().contains("output labels only"));
    }

    @Test
    void shouldNameIntersectionsAndBucketNumericAttributes() throws Exception {
        Path preds = TinyModels.write(dir.resolve("p.csv"), """
                y_true,y_pred_source,y_pred_variant,sex,race,age
                1,1,1,Female,Black,19
                0,0,1,Female,White,25
                1,0,0,Male,Black,44.5
                0,0,0,Male,White,45
                1,1,1,Female,Black,70
                """);
        EvaluationOptions o = options("sex", "race").labelColumn("y_true").intersections(true)
                .sensitive(SensitiveAttribute.bucketed("age", 25, 45));
        JsonNode r = json(new Evaluator().evaluatePredictions(preds, o));
        JsonNode cells = r.at("/source/by_attribute/sex&race&age/groups");
        assertEquals(2, cells.get("Female&Black&<25").get("count").asInt() + cells.get("Female&Black&>=45").get("count").asInt());
        assertEquals(2, r.at("/source/by_attribute/age/groups/[25,45)/count").asInt(), "25 and 44.5");
        assertEquals(2, r.at("/source/by_attribute/age/groups/>=45/count").asInt(), "45 and 70");
        assertEquals(1, r.at("/source/by_attribute/age/groups/<25/count").asInt());
        JsonNode two = json(new Evaluator().evaluatePredictions(preds, options("sex", "race").labelColumn("y_true").intersections(true)));
        assertEquals(2, two.at("/source/by_attribute/sex&race/groups/Female&Black/count").asInt());
        assertEquals(1.0, two.at("/flips/by_attribute/sex&race/Female&White").asDouble());
    }

    @Test
    void shouldWeighRowsBySampleWeight() throws Exception {
        Path preds = TinyModels.write(dir.resolve("w.csv"), "y,y_pred_source,y_pred_variant,g,w\n1,1,1,a,3\n0,1,1,a,1\n1,0,1,b,2\n0,0,0,b,2\n");
        JsonNode r = json(new Evaluator().evaluatePredictions(preds, options("g").labelColumn("y").weightColumn("w")));
        assertEquals((3 + 2) / 8.0, r.at("/source/overall/accuracy").asDouble(), 1e-12);
        assertEquals((3 + 2 + 2) / 8.0, r.at("/variant/overall/accuracy").asDouble(), 1e-12);
        assertEquals(2 / 8.0, r.at("/flips/overall").asDouble(), 1e-12);
        assertEquals(2, r.at("/source/by_attribute/g/groups/a/count").asInt(), "count stays the number of rows");
    }

    @Test
    void shouldComputeRocAucWithTiesAndClippedLogLoss() throws Exception {
        // positives score 0.8, 0.4, 0.4; negatives 0.4, 0.1, 0.0 → pairs: 0.8 beats 3; each 0.4 beats 2 and ties 1
        Path preds = TinyModels.write(dir.resolve("s.csv"), "y,y_pred_source,y_pred_variant,y_score_source,y_score_variant,g\n"
                + "1,1,1,0.8,0.8,a\n1,0,0,0.4,0.4,a\n1,0,0,0.4,0,b\n0,0,0,0.4,0.4,b\n0,0,0,0.1,0.1,a\n0,0,0,0,0,b\n");
        JsonNode r = json(new Evaluator().evaluatePredictions(preds, options("g").labelColumn("y")));
        assertEquals((3 + 2.5 + 2.5) / 9, r.at("/source/overall/roc_auc").asDouble(), 1e-12);
        double loss = -(Math.log(0.8) + 2 * Math.log(0.4) + Math.log(0.6) + Math.log(0.9) + Math.log(1 - 1e-15)) / 6;
        assertEquals(loss, r.at("/source/overall/log_loss").asDouble(), 1e-12);
        double clipped = -(Math.log(0.8) + Math.log(0.4) + Math.log(1e-15) + Math.log(0.6) + Math.log(0.9) + Math.log(1 - 1e-15)) / 6;
        assertEquals(clipped, r.at("/variant/overall/log_loss").asDouble(), 1e-12, "a positive scored 0 costs -log(1e-15)");
    }

    @Test
    void shouldFlagGroupsTheCalibrationSetUnderRepresents() throws Exception {
        Path preds = TinyModels.write(dir.resolve("e.csv"), "y,y_pred_source,y_pred_variant,sex\n1,1,1,F\n0,0,0,F\n1,1,1,M\n0,0,0,M\n");
        Path calibration = TinyModels.write(dir.resolve("cal.csv"), "sex,x\nM,1\nM,2\nM,3\nM,4\nM,5\nF,6\nM,7\nM,8\nM,9\nM,10\n");
        JsonNode r = json(new Evaluator().evaluatePredictions(preds, options("sex").labelColumn("y").calibration(calibration)));
        assertTrue(r.at("/calibration/by_attribute/sex/F/under_represented").asBoolean(), "0.1 of calibration vs 0.5");
        assertFalse(r.at("/calibration/by_attribute/sex/M/under_represented").asBoolean());
        assertEquals(0.1, r.at("/calibration/by_attribute/sex/F/calibration_share").asDouble(), 1e-12);
        assertTrue(r.get("warnings").toString().contains("calibration set under-represents sex=F"));
    }

    @Test
    void shouldGiveBootstrapIntervalsThatContainThePointEstimate() throws Exception {
        StringBuilder csv = new StringBuilder("y,y_pred_source,y_pred_variant,g\n");
        for (int i = 0; i < 400; i++) {
            int y = i % 3 == 0 ? 1 : 0;
            int s = i % 7 == 0 ? 1 - y : y;
            int v = i % 11 == 0 ? 1 - s : s;
            csv.append(y).append(',').append(s).append(',').append(v).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
        }
        Path preds = TinyModels.write(dir.resolve("b.csv"), csv.toString());
        JsonNode r = json(new Evaluator().evaluatePredictions(preds, options("g").labelColumn("y").bootstrap(300).seed(5)));
        double point = r.at("/delta/overall/accuracy").asDouble();
        JsonNode ci = r.at("/delta/overall/ci/accuracy");
        assertTrue(ci.get(0).asDouble() < point && point < ci.get(1).asDouble(), ci + " around " + point);
        assertTrue(ci.get(1).asDouble() < 0, "the variant is clearly worse: the whole interval is below 0");
        JsonNode dp = r.at("/source/by_attribute/g/fairness/ci/demographic_parity_difference");
        assertTrue(dp.get(0).asDouble() <= dp.get(1).asDouble());
        assertEquals(300, r.at("/config/bootstrap/iterations").asInt());
    }
}
