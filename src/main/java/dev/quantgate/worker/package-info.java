/**
 * The worker runtime: lease a job, fetch the source model and datasets, quantize, benchmark, evaluate,
 * upload the variant, report the evidence. The same runtime runs in-process (role {@code all}) and as a
 * separate process (role {@code worker}) that reaches the server only through {@link dev.quantgate.worker.WorkerPort}
 * (the worker REST API) and MLflow only through {@link dev.quantgate.worker.ArtifactPort}.
 *
 * <p>This package defines both ports and their value types; {@code jobs} implements {@link WorkerPort} and
 * {@code mlflow} implements {@link ArtifactPort}. It imports neither of them.
 */
package dev.quantgate.worker;
