package dev.quantgate.quantize;

/**
 * A permanent input problem: a model, spec or calibration set the engine cannot use, which will
 * fail the same way every time. The message names the problem (the field, tensor, operator or file
 * at fault); nothing is written when this is thrown. Transient I/O problems are
 * {@link QuantizationIoException}s instead.
 */
public class QuantizationException extends RuntimeException {

    public QuantizationException(String message) {
        super(message);
    }

    public QuantizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
