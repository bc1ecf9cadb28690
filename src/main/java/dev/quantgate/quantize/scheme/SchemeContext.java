package dev.quantgate.quantize.scheme;

import dev.quantgate.quantize.calib.CalibrationData;
import dev.quantgate.quantize.runtime.ModelRuntime;

import java.util.Optional;

/** What a scheme may need besides the model and the spec. */
public record SchemeContext(ModelRuntime runtime, Optional<CalibrationData> calibration) {
}
