package dev.quantgate.evaluation.result;

/**
 * Wall-clock nanoseconds of an evaluation's phases.
 *
 * @param load reading the data and running the models
 * @param model running the models only (part of load)
 * @param metrics the point figures
 * @param bootstrap resamples, jackknife replicates and intervals
 */
public record Timings(long load, long model, long metrics, long bootstrap) {
}
