package dev.quantgate.evaluation.benchmark;

/**
 * A benchmark of a source model and its variant, measured alternately in one process.
 *
 * @param hardware where it ran
 * @param source the source model's figures
 * @param variant the variant's figures
 * @param latencyRatio variant p50 / source p50 at batch 1
 * @param throughputRatio variant rows/s / source rows/s
 * @param peakResidentBytes the process's peak resident set (VmHWM from /proc/self/status: JVM heap, JVM and ONNX
 *                          Runtime native memory together; -1 where /proc is absent)
 * @param memoryMethod how memory was measured, in words
 * @param options the options it ran with
 * @param inputs what the models were fed
 */
public record BenchmarkResult(HardwareDescriptor hardware, ModelMeasurement source, ModelMeasurement variant,
                              double latencyRatio, double throughputRatio, long peakResidentBytes, String memoryMethod,
                              BenchmarkOptions options, BenchmarkInputs inputs) {

    /** The same figures, with why real rows were not used. */
    public BenchmarkResult notUsing(String reason) {
        return new BenchmarkResult(hardware, source, variant, latencyRatio, throughputRatio, peakResidentBytes,
                memoryMethod, options, inputs.notUsing(reason));
    }
}
