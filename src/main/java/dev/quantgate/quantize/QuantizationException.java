package dev.quantgate.quantize;

/**
 * A model, spec or calibration set the engine cannot use. The message names the problem
 * (the field, tensor, operator or file at fault); nothing is written when this is thrown.
 */
public class QuantizationException extends RuntimeException {

    public QuantizationException(String message) {
        super(message);
    }

    public QuantizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
