package dev.quantgate.evaluation.result;

/**
 * The ONNX Runtime that ran the models, as it ran them.
 *
 * @param onnxRuntimeVersion the ONNX Runtime version
 * @param executionProviders the providers sessions used, in preference order ({@code CUDA, CPU} or {@code CPU})
 * @param intraOpThreads ONNX Runtime intra-op threads
 * @param batchSize rows per model call
 */
public record RuntimeInfo(String onnxRuntimeVersion, String executionProviders, int intraOpThreads, int batchSize) {
}
