package dev.quantgate.evaluation.benchmark;

/**
 * What a benchmark fed the models.
 *
 * @param kind        {@code evaluation_rows} (real rows, {@link BenchmarkRows}) or {@code random} (random tensors of
 *                    the inputs' shapes)
 * @param rows        distinct rows fed ({@code evaluation_rows}), or 0
 * @param sha256      {@link BenchmarkRows#sha256()} of the rows fed, or null for random inputs
 * @param description in words
 */
public record BenchmarkInputs(String kind, int rows, String sha256, String description) {

    static BenchmarkInputs of(BenchmarkRows r) {
        return new BenchmarkInputs("evaluation_rows", r.rows(), r.sha256(), r.description()
                + ", the same for both models: batch-1 runs take the rows in turn, each throughput call the next rows");
    }

    static BenchmarkInputs random(long seed) {
        return new BenchmarkInputs("random", 0, null, "random tensors of the models' input shapes (floats in [0, 1), "
                + "integer inputs 1, seed " + seed + "), the same for both models");
    }

    /** The same, with why real rows were not used. */
    public BenchmarkInputs notUsing(String reason) {
        return new BenchmarkInputs(kind, rows, sha256, description + "; evaluation rows not used: " + reason);
    }
}
