package dev.quantgate.registry.source;

import java.util.Optional;

/**
 * The port through which the mirror reads the model registry it mirrors (MLflow): the few reads
 * that complete what an event does not carry. {@code dev.quantgate.mlflow.client} implements it;
 * the registry never sees MLflow's client types.
 *
 * <p>Calls go over the network and are bounded in time by the implementation; the mirror makes
 * them only in {@link dev.quantgate.registry.RegistryEventSink#prepare}, never while a transaction
 * holds its locks. A registry that cannot be reached throws an unchecked exception that the caller
 * treats as transient (retry later); "does not exist" is an empty answer, not an exception.
 */
public interface RegistrySource {

    /** Whether a registry is configured at all; without one the mirror keeps what events carry. */
    boolean configured();

    /** The registered model, or empty when the registry says it does not exist. */
    Optional<SourceModel> model(String name);

    /** The model version, or empty when the registry says it does not exist. */
    Optional<SourceVersion> version(String model, String version);
}
