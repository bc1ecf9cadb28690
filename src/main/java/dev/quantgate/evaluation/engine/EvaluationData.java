package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.result.DatasetInfo;
import dev.quantgate.evaluation.result.ModelInfo;
import dev.quantgate.evaluation.result.RuntimeInfo;
import dev.quantgate.evaluation.result.Warning;

import java.util.List;

/**
 * Everything the metrics need, one primitive array per quantity, one entry per row: labels, the source's and
 * the variant's predictions, group ids per sensitive attribute, weights. Never raw features.
 *
 * @param rows number of rows
 * @param task what the models do
 * @param classes class labels (classification), in index order
 * @param attributes sensitive attribute names, in order
 * @param groupNames per attribute, its group names sorted; {@code groups[a][row]} indexes them
 * @param groups per attribute, each row's group index
 * @param weight sample weights, or null for 1
 * @param label class index per row (classification), else null
 * @param target true value per row (regression), else null
 * @param source the source model's per-row outputs
 * @param variant the variant's per-row outputs
 * @param fidelity per-row agreement of the variant with the source (fidelity task), else null
 * @param provenance what the report says about the inputs (hashes, file names, columns, runtime), or null
 * @param warnings what loading found worth saying
 */
public record EvaluationData(int rows, Task task, List<String> classes, List<String> attributes, List<List<String>> groupNames,
                             int[][] groups, double[] weight, int[] label, double[] target,
                             Predictions source, Predictions variant, Fidelity fidelity,
                             Provenance provenance, List<Warning> warnings) {

    /**
     * One model's per-row outputs.
     *
     * @param predicted predicted class index (classification), else null
     * @param score positive-class probability (binary), else null
     * @param loss per-row log loss (classification with probabilities), else null
     * @param value predicted value (regression), else null
     */
    public record Predictions(int[] predicted, double[] score, double[] loss, double[] value) {
    }

    /** Per-row cosine similarity, largest and mean absolute difference between the variant's and the source's outputs. */
    public record Fidelity(double[] cosine, double[] maxAbs, double[] meanAbs) {
    }

    /** The inputs' identities: dataset, both models (null parts are left out of the report), the runtime. */
    public record Provenance(DatasetInfo dataset, ModelInfo source, ModelInfo variant, RuntimeInfo runtime) {
    }
}
