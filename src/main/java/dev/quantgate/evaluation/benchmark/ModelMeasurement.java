package dev.quantgate.evaluation.benchmark;

/**
 * One model's figures.
 *
 * @param file the model file's name
 * @param sha256 its SHA-256
 * @param loadNanos creating its ONNX Runtime session (reading, optimising, allocating)
 * @param batch1 latency of one call with one row
 * @param throughputBatch rows per call for the throughput figure
 * @param rowsPerSecond rows per second at {@code throughputBatch}, over all measured calls
 * @param residentGrowthBytes growth of the process's resident set (VmRSS) over loading the model and its first
 *                            call: an estimate of the memory it costs (0 where /proc is absent)
 */
public record ModelMeasurement(String file, String sha256, long loadNanos, LatencyStats batch1, int throughputBatch,
                               double rowsPerSecond, long residentGrowthBytes) {
}
