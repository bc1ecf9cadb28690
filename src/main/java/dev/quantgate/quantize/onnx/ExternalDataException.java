package dev.quantgate.quantize.onnx;

import dev.quantgate.quantize.QuantizationException;

/**
 * A model's external data cannot be used: a location that escapes the model's directory (a
 * {@code ../} path, an absolute path, a symbolic link out), or a missing or short sidecar file.
 * A permanent input problem; the message names the tensor and the location.
 */
public class ExternalDataException extends QuantizationException {

    public ExternalDataException(String message) {
        super(message);
    }
}
