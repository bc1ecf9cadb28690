package dev.quantgate.quantize.spec;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The quantization schemes the engine implements, by their spec/CLI names. */
public enum Scheme {
    FP16("fp16"),
    INT8_DYNAMIC("int8-dynamic"),
    INT8_STATIC("int8-static"),
    INT4_WEIGHT_ONLY("int4-weight-only");

    private final String id;

    Scheme(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Scheme fromId(String id) {
        for (Scheme s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new InvalidSpecException("scheme", "'" + id + "' is not one of "
                + Arrays.stream(values()).map(Scheme::id).collect(Collectors.joining(", ")));
    }
}
