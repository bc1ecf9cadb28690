package dev.quantgate.quantize;

/**
 * How outputs are written; independent of the spec, so it changes neither the spec hash nor any
 * tensor's value (only how the model's bytes are split over files).
 *
 * @param externalDataThreshold tensor bytes above which an output of a self-contained source is
 *                              written with external data (a source with external data always gives
 *                              an output with external data); {@code 0} always writes external data
 */
public record OutputOptions(long externalDataThreshold) {

    /** Below protobuf's 2 GiB limit on one serialized model, with room for the graph. */
    public static final long DEFAULT_EXTERNAL_DATA_THRESHOLD = 1_800_000_000L;

    public static final OutputOptions DEFAULTS = new OutputOptions(DEFAULT_EXTERNAL_DATA_THRESHOLD);

    public OutputOptions {
        if (externalDataThreshold < 0) {
            throw new QuantizationException("external data threshold must be 0 or more bytes, got "
                    + externalDataThreshold);
        }
    }
}
