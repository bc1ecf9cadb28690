package dev.quantgate.quantize.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.quantgate.quantize.QuantizationIoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs ONNX models (ONNX Runtime behind it); the engine uses it to check that an output loads, to
 * calibrate activation ranges and to measure each node's sensitivity.
 */
public interface ModelRuntime {

    /** Opens a model from its serialized bytes; fails with a message if the runtime refuses it. */
    Session open(byte[] model);

    /**
     * Opens a model only to observe its tensors (calibration): the runtime may skip its slower graph
     * optimizations, which cannot fuse across the exposed intermediate outputs anyway.
     */
    default Session openForInspection(byte[] model) {
        return open(model);
    }

    /**
     * Opens a model from its file, so that the runtime resolves the model's external data files
     * itself, relative to the file's directory (no copy of the model on the Java heap).
     */
    default Session open(Path modelFile) {
        try {
            return open(Files.readAllBytes(modelFile));
        } catch (IOException e) {
            throw new QuantizationIoException("cannot read " + modelFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a serialized model whose tensors may refer to external data files in {@code externalDataDir}
     * ({@code null}: a self-contained model).
     */
    default Session open(byte[] model, Path externalDataDir, boolean forInspection) {
        if (externalDataDir != null) {
            throw new UnsupportedOperationException("this runtime cannot resolve external data");
        }
        return forInspection ? openForInspection(model) : open(model);
    }

    /** Opens an in-memory model; engines call this, so that a wrapping runtime can map tensors back to files. */
    default Session open(ModelProto model) {
        return open(model.toByteArray());
    }

    /** As {@link #openForInspection(byte[])}, for an in-memory model. */
    default Session openForInspection(ModelProto model) {
        return openForInspection(model.toByteArray());
    }

    /** Which execution providers this runtime uses, e.g. {@code "CPU"} or {@code "CUDA, CPU"}. */
    String providers();

    /** An open model. */
    interface Session extends AutoCloseable {

        /** Runs the model and returns every output by name (float and int64 outputs only). */
        Map<String, TensorData> run(Map<String, TensorData> inputs);

        @Override
        void close();
    }
}
