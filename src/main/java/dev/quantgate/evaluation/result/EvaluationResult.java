package dev.quantgate.evaluation.result;

import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.IntervalMethod;

import java.util.List;

/**
 * An evaluation's outcome, typed and immutable. Classification and regression fill {@code source}, {@code variant},
 * {@code delta} (variant − source) and {@code impact}; classification also {@code flips}; the fidelity task fills
 * {@code fidelity} only.
 *
 * @param options the options, whose {@link EvaluationOptions#sha256()} names them
 * @param runtime the ONNX Runtime that ran the models, or null in predictions mode
 * @param bootstrapIterations resamples behind every interval (0: none)
 * @param intervalMethod how intervals were read from the resamples
 * @param calibration the calibration check, or null
 */
public record EvaluationResult(EvaluationOptions options, DatasetInfo dataset, ModelInfo sourceModel, ModelInfo variantModel,
                               RuntimeInfo runtime, int bootstrapIterations, IntervalMethod intervalMethod,
                               ModelFigures source, ModelFigures variant, ModelFigures delta, ModelFigures fidelity,
                               Change flips, Change impact, CalibrationResult calibration, List<Warning> warnings,
                               Timings timings) {

    public EvaluationResult {
        warnings = List.copyOf(warnings);
    }
}
