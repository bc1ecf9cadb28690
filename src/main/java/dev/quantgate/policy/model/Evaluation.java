package dev.quantgate.policy.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How source and variant are evaluated ({@code spec.evaluation}); the names follow the evaluation
 * engine's options. Defaults: dataset tag {@value #DEFAULT_DATASET_TAG}, classes empty (the engine's
 * binary default {@code 0, 1}), no intersections, {@value #DEFAULT_BOOTSTRAP} bootstrap iterations,
 * groups below {@value #DEFAULT_MIN_GROUP_SIZE} rows insufficient, threshold 0.5, batches of 1024, seed 7.
 *
 * @param positive the positive class as written (numbers as their canonical text), or null
 * @param buckets  for numeric sensitive attributes, the edges that cut them into ranges
 */
public record Evaluation(DatasetRef dataset, String label, String positive, List<String> classes,
                         List<String> sensitive, Map<String, List<Double>> buckets, boolean intersections,
                         int bootstrap, int minGroupSize, double threshold, int batchSize, long seed) {

    public static final String DEFAULT_DATASET_TAG = "quantgate.eval_dataset";
    public static final int DEFAULT_BOOTSTRAP = 1000;
    public static final int DEFAULT_MIN_GROUP_SIZE = 30;
    public static final double DEFAULT_THRESHOLD = 0.5;
    public static final int DEFAULT_BATCH_SIZE = 1024;
    public static final long DEFAULT_SEED = 7;

    public Evaluation {
        Objects.requireNonNull(dataset, "dataset");
        classes = List.copyOf(classes);
        sensitive = List.copyOf(sensitive);
        buckets = Map.copyOf(buckets);
    }
}
