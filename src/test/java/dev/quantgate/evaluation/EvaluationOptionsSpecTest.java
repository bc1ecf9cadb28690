package dev.quantgate.evaluation;

import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.IntervalMethod;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.engine.Task;
import dev.quantgate.evaluation.metrics.DisparityMethod;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluationOptionsSpecTest {

    private static EvaluationOptions full() {
        return new EvaluationOptions().task(Task.BINARY).labelColumn("income").classes(List.of("<=50K", ">50K"))
                .threshold(0.4).sensitive(SensitiveAttribute.categorical("sex"))
                .sensitive(SensitiveAttribute.bucketed("age", 25, 45.5, 65)).intersections(true).weightColumn("w")
                .features(List.of("a", "b")).signature(Path.of("m/MLmodel")).privileged("sex", "Male")
                .minGroupSize(50).method(DisparityMethod.TO_OVERALL).bootstrap(300).seed(1234567890123456789L)
                .intervalMethod(IntervalMethod.PERCENTILE).calibration(Path.of("calib.csv")).calibrationFactor(3)
                .outputName("probabilities").batchSize(1).deploymentBatchSize(1);
    }

    @Test
    void shouldParseItsCanonicalJsonBackToEqualOptions() {
        EvaluationOptions o = full();
        EvaluationOptions back = EvaluationOptions.parse(o.toCanonicalJson());
        assertEquals(o, back);
        assertEquals(o.toCanonicalJson(), back.toCanonicalJson());
        assertEquals(o.sha256(), back.sha256());
        assertEquals(1234567890123456789L, back.seed(), "a long seed survives the JSON form exactly");
        assertEquals(45.5, back.sensitive().get(1).edges()[1]);
        assertEquals(64, o.sha256().length());
        assertEquals(new EvaluationOptions(), EvaluationOptions.parse(new EvaluationOptions().toCanonicalJson()));
    }

    @Test
    void shouldWriteSortedKeysWithoutWhitespace() {
        String json = new EvaluationOptions().labelColumn("y").toCanonicalJson();
        assertTrue(json.startsWith("{\"batch_size\":1024,\"bootstrap\":{\"confidence\":0.95,\"interval\":\"auto\""), json);
        assertTrue(!json.contains(" ") && !json.contains("\n"), json);
    }

    @Test
    void shouldChangeItsHashWithEveryOptionThatCanChangeAFigure() {
        String base = full().sha256();
        assertNotEquals(base, full().batchSize(1024).sha256(), "batch size");
        assertNotEquals(base, full().deploymentBatchSize(64).sha256(), "deployment batch size");
        assertNotEquals(base, full().intervalMethod(IntervalMethod.BCA).sha256(), "interval method");
        assertNotEquals(base, full().seed(1).sha256(), "seed");
        assertNotEquals(base, full().minGroupSize(30).sha256(), "minimum group size");
        assertNotEquals(base, full().threshold(0.5).sha256(), "threshold");
        assertEquals(base, full().threads(16).sha256(), "threads change timings, not figures");
    }

    @Test
    void shouldRefuseUnknownKeysAndWrongTypes() {
        BadInputException unknown = assertThrows(BadInputException.class, () -> EvaluationOptions.parse("{\"batchsize\":1}"));
        assertTrue(unknown.getMessage().contains("unknown key 'batchsize'"), unknown.getMessage());
        BadInputException type = assertThrows(BadInputException.class, () -> EvaluationOptions.parse("{\"threshold\":\"high\"}"));
        assertTrue(type.getMessage().contains("'threshold' must be a number"), type.getMessage());
        assertThrows(BadInputException.class, () -> EvaluationOptions.parse("[1]"));
    }

    @Test
    void shouldRefuseChangesOnceFrozen() {
        EvaluationOptions frozen = full().frozen();
        assertEquals(full(), frozen);
        assertThrows(IllegalStateException.class, () -> frozen.batchSize(4));
        assertThrows(UnsupportedOperationException.class, () -> frozen.sensitive().clear());
    }
}
