package dev.quantgate.quantize.spec;

import dev.quantgate.quantize.QuantizationException;

/** A quantization spec with an impossible or unknown value; {@link #field()} names it. */
public class InvalidSpecException extends QuantizationException {

    private final String field;

    public InvalidSpecException(String field, String problem) {
        super("invalid quantization spec: " + field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
