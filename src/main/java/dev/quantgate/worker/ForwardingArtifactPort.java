package dev.quantgate.worker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** An {@link ArtifactPort} that hands every call to another; a subclass overrides the calls it changes. */
public abstract class ForwardingArtifactPort implements ArtifactPort {

    protected final ArtifactPort delegate;

    protected ForwardingArtifactPort(ArtifactPort delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String resolveModelDirectory(String model, String version, String source, String sourceRunId)
            throws ArtifactException {
        return delegate.resolveModelDirectory(model, version, source, sourceRunId);
    }

    @Override
    public Download downloadDirectory(String uri, Path target, long maxBytes) throws ArtifactException {
        return delegate.downloadDirectory(uri, target, maxBytes);
    }

    @Override
    public Download downloadFile(String uri, Path target, long maxBytes) throws ArtifactException {
        return delegate.downloadFile(uri, target, maxBytes);
    }

    @Override
    public Optional<Map<String, Long>> list(String directoryUri) throws ArtifactException {
        return delegate.list(directoryUri);
    }

    @Override
    public OptionalLong listedSize(String fileUri) throws ArtifactException {
        return delegate.listedSize(fileUri);
    }

    @Override
    public void uploadDirectory(Path directory, String uri) throws ArtifactException {
        delegate.uploadDirectory(directory, uri);
    }
}
