package dev.quantgate.evaluation.result;

import java.util.List;

/**
 * How well a quantization calibration set represents the evaluation set's groups.
 *
 * @param groups per section and group, the two shares; a group is under-represented when its calibration share
 *               times {@code factor} is below its evaluation share
 */
public record CalibrationResult(String file, String sha256, long rows, double factor, List<Group> groups) {

    public CalibrationResult {
        groups = List.copyOf(groups);
    }

    /** One group's shares (ratio NaN where the evaluation set has no such row). */
    public record Group(String attribute, String group, double calibrationShare, double evaluationShare, double ratio,
                        boolean underRepresented) {
    }
}
