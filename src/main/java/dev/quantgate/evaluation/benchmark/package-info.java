/**
 * Latency, throughput, load time and memory of a source model and its variant, measured alternately in one process
 * after warm-up, with the hardware and runtime they ran on: the plain-Java API a worker calls
 * ({@link dev.quantgate.evaluation.benchmark.ModelBenchmark#run}).
 */
package dev.quantgate.evaluation.benchmark;
