package dev.quantgate.quantize.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.quantgate.quantize.onnx.ModelFile;

import java.nio.file.Path;

/**
 * A runtime for working copies of a model with external data: before a model is handed to the
 * runtime, the tensors that are still the source's own bytes are turned back into references to its
 * sidecar files, which the runtime reads from the source's directory; a 2 GB model is never
 * serialized into one byte array (protobuf could not, past 2 GiB).
 */
public final class ExternalDataRuntime implements ModelRuntime {

    private final ModelRuntime delegate;
    private final ModelFile source;

    public ExternalDataRuntime(ModelRuntime delegate, ModelFile source) {
        this.delegate = delegate;
        this.source = source;
    }

    @Override
    public Session open(byte[] model) {
        return delegate.open(model);
    }

    @Override
    public Session openForInspection(byte[] model) {
        return delegate.openForInspection(model);
    }

    @Override
    public Session open(Path modelFile) {
        return delegate.open(modelFile);
    }

    @Override
    public Session open(byte[] model, Path externalDataDir, boolean forInspection) {
        return delegate.open(model, externalDataDir, forInspection);
    }

    @Override
    public Session open(ModelProto model) {
        return open(model, false);
    }

    @Override
    public Session openForInspection(ModelProto model) {
        return open(model, true);
    }

    private Session open(ModelProto model, boolean forInspection) {
        if (!source.external()) {
            return forInspection ? delegate.openForInspection(model.toByteArray()) : delegate.open(model.toByteArray());
        }
        return delegate.open(source.referencing(model).toByteArray(), source.directory(), forInspection);
    }

    @Override
    public String providers() {
        return delegate.providers();
    }
}
