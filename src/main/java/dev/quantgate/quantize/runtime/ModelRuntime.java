package dev.quantgate.quantize.runtime;

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
