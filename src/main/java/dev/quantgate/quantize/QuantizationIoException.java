package dev.quantgate.quantize;

/**
 * A transient problem reading or writing files (a read error, a full disk, a permission changed
 * under us): the same request may succeed later. Not a {@link QuantizationException}, so that a
 * caller treating those as permanent input problems does not mistake this one for one.
 */
public class QuantizationIoException extends RuntimeException {

    public QuantizationIoException(String message, Throwable cause) {
        super(message, cause);
    }
}
