package dev.quantgate.evaluation.engine;

import java.util.List;
import java.util.Map;

/**
 * An evaluation's outcome, before serialisation: the point figures, their bootstrap intervals, which groups had
 * too few rows, and what the report says about its inputs.
 *
 * @param figures every figure, keyed by path
 * @param intervals per figure (same order) its 95% interval, or null when the bootstrap was off
 * @param insufficient per section, the groups reported as insufficient_data, with their row counts
 * @param privileged per section with an AIF360 split, the privileged group's name
 * @param calibration the calibration-representativeness check, or null
 * @param timings wall-clock nanoseconds: load (reading data and running models), model (running models only),
 *                metrics, bootstrap
 */
public record EvaluationResult(EvaluationOptions options, Map<String, Object> metadata, Figures figures,
                               Bootstrap.Intervals intervals, Map<String, Map<String, Long>> insufficient,
                               Map<String, String> privileged, Map<String, Object> calibration, List<String> warnings,
                               Map<String, Long> timings) {
}
