package dev.quantgate.registry;

import dev.quantgate.registry.source.SourceModel;
import dev.quantgate.registry.source.SourceVersion;

import java.util.Optional;

/**
 * What {@link RegistryMirror#prepare} read from MLflow for one event.
 *
 * @param model          the registered model as MLflow reports it, when the mirror lacked it
 * @param version        the version as MLflow reports it, when the mirror lacked it
 * @param modelMissing   MLflow says the model does not exist: the event is not mirrored
 * @param versionMissing MLflow says the version does not exist: mirrored from the event, as deleted
 */
record MirrorPrepared(RegistryEvent event, SourceModel model, SourceVersion version, boolean modelMissing,
                      boolean versionMissing) implements RegistryEventSink.Prepared {

    static MirrorPrepared nothing(RegistryEvent event) {
        return new MirrorPrepared(event, null, null, false, false);
    }

    @Override
    public Optional<String> ignoredReason() {
        if (!modelMissing) {
            return Optional.empty();
        }
        return Optional.of("MLflow has no registered model named '" + event.model() + "' (MLflow's 'test webhook' "
                + "sends such an example delivery): not mirrored");
    }
}
