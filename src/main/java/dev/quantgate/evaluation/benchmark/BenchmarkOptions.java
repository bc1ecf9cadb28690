package dev.quantgate.evaluation.benchmark;

import java.util.Map;

/**
 * How to benchmark.
 *
 * @param warmups unmeasured rounds (each runs both models at batch 1 and at the throughput batch)
 * @param latencyRuns measured batch-1 runs per model, source and variant alternating
 * @param throughputBatch rows per call for the throughput figure
 * @param throughputRuns measured calls per model at the throughput batch, alternating
 * @param intraOpThreads ONNX Runtime intra-op threads
 * @param dimensions values for dynamic input dimensions other than the batch, by dimension name (e.g.
 *                   {@code sequence -> 48}); unnamed or unlisted ones take {@code defaultDimension}
 * @param defaultDimension the value of any other dynamic non-batch dimension
 * @param seed seed of the random inputs
 */
public record BenchmarkOptions(int warmups, int latencyRuns, int throughputBatch, int throughputRuns, int intraOpThreads,
                               Map<String, Long> dimensions, long defaultDimension, long seed) {

    public BenchmarkOptions {
        if (warmups < 0 || latencyRuns < 1 || throughputBatch < 1 || throughputRuns < 1 || intraOpThreads < 1
                || defaultDimension < 1) {
            throw new IllegalArgumentException("benchmark options: warmups >= 0, runs, batch, threads and dimensions >= 1");
        }
        dimensions = Map.copyOf(dimensions);
    }

    /** 20 warm-up rounds, 200 latency runs, 20 throughput calls of 256 rows, 2 threads, other dimensions 16. */
    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions(20, 200, 256, 20, 2, Map.of(), 16, 7);
    }
}
