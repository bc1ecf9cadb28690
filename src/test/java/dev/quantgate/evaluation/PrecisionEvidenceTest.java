package dev.quantgate.evaluation;

import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.evaluation.result.Warning;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Evidence says what it cannot show: batch-dependent dynamic quantization, fp16 run with float32 activations. */
class PrecisionEvidenceTest {

    @TempDir
    Path dir;
    Path data;
    Path source;
    final float[] w = {4f, 0.5f, -0.5f};

    @BeforeEach
    void files() throws Exception {
        StringBuilder csv = new StringBuilder("x0,x1,x2,sex,y\n");
        for (int i = 0; i < 120; i++) {
            double x0 = (i * 37 % 120) / 120.0;
            // rows with a large x2 widen a batch's activation range, coarsening the others' quantization
            double x2 = i % 10 == 0 ? 40 : (i % 7) / 7.0;
            csv.append(x0).append(',').append((i % 5) / 5.0).append(',').append(x2).append(',')
                    .append(i % 3 == 0 ? "F" : "M").append(',').append(x0 > 0.5 ? 1 : 0).append('\n');
        }
        data = Files.writeString(dir.resolve("eval.csv"), csv);
        source = TinyModels.linear(dir.resolve("source.onnx"), 3, 1, w, new float[]{-2f}, TinyModels.Head.SIGMOID);
    }

    private EvaluationResult evaluate(Path variant, int batch, Integer deployment) {
        EvaluationOptions o = new EvaluationOptions().labelColumn("y").sensitive(SensitiveAttribute.categorical("sex"))
                .bootstrap(0).batchSize(batch).deploymentBatchSize(deployment);
        return new Evaluator().evaluateModels(source, variant, data, o);
    }

    private static boolean warns(EvaluationResult r, Warning.Code code) {
        return r.warnings().stream().anyMatch(x -> x.code() == code);
    }

    @Test
    void shouldWarnWhenADynamicallyQuantizedModelIsEvaluatedAtAnotherBatchSizeThanDeployment() {
        Path dyn = ExternalDataModels.dynamicQuantized(dir.resolve("dynamic.onnx"), 3, w, -2f);
        EvaluationResult batched = evaluate(dyn, 64, 1);
        EvaluationResult online = evaluate(dyn, 1, 1);
        assertTrue(batched.variantModel().dynamicQuantization());
        assertFalse(batched.sourceModel().dynamicQuantization());
        assertTrue(warns(batched, Warning.Code.BATCH_SIZE), batched.warnings().toString());
        assertTrue(batched.warnings().stream().anyMatch(x -> x.message().contains("evaluated at batch size 64, not the "
                + "deployment batch size 1")), batched.warnings().toString());
        assertFalse(warns(online, Warning.Code.BATCH_SIZE), online.warnings().toString());
        assertFalse(warns(evaluate(source, 64, 1), Warning.Code.BATCH_SIZE), "a float model does not depend on the batch");
        assertTrue(warns(evaluate(dyn, 64, null), Warning.Code.BATCH_SIZE), "no declared deployment batch size");
        // the batch changes the figures, so it is recorded and named by the options hash
        assertNotEquals(batched.variant().overall().figure("log_loss").value(), online.variant().overall().figure("log_loss").value());
        assertEquals(64, batched.runtime().batchSize());
        assertNotEquals(batched.options().sha256(), online.options().sha256());
        assertTrue(JsonWriter.write(EvaluationReport.build(online)).contains("\"batch_size\":1,"));
    }

    @Test
    void shouldSayWhenAnFp16ModelRanWithFloat32ActivationsOnTheCpu() {
        Path fp16 = ExternalDataModels.float16(dir.resolve("fp16.onnx"), 3, w, -2f);
        EvaluationResult r = evaluate(fp16, 1024, null);
        assertTrue(r.variantModel().float16());
        assertFalse(r.sourceModel().float16());
        String report = JsonWriter.write(EvaluationReport.build(r));
        if (r.runtime().executionProviders().startsWith("CUDA")) {
            assertFalse(warns(r, Warning.Code.FP16_ACTIVATIONS));
        } else {
            assertTrue(warns(r, Warning.Code.FP16_ACTIVATIONS), r.warnings().toString());
            assertTrue(report.contains("\"activations\":\"float32 (ONNX Runtime's CPU provider casts float16 nodes)\""), report);
        }
    }
}
