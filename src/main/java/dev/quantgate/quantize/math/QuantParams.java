package dev.quantgate.quantize.math;

/** A scale (as stored: float32) and a zero point for one tensor, channel or block. */
public record QuantParams(float scale, int zeroPoint) {
}
