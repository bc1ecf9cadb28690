package dev.quantgate.evaluation.benchmark;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Real rows fed to both models instead of random tensors: the first rows of an evaluation set, for a model whose one
 * input is {@code [batch, width]}. Batch-1 runs take the rows in turn; each throughput call takes the next
 * {@code throughputBatch} rows, wrapping round when there are fewer.
 *
 * @param input       the model input they feed
 * @param width       values per row
 * @param values      the rows, row after row ({@code rows() * width} values)
 * @param description where they come from, in words (e.g. "the first 5120 rows of evaluation.csv")
 */
public record BenchmarkRows(String input, int width, float[] values, String description) {

    public BenchmarkRows {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(description, "description");
        if (width < 1 || values.length == 0 || values.length % width != 0) {
            throw new IllegalArgumentException("benchmark rows: width >= 1 and a whole number of rows, at least one; "
                    + values.length + " values for width " + width);
        }
        values = values.clone();
    }

    public int rows() {
        return values.length / width;
    }

    /** Row {@code i}, wrapping round. */
    float[] row(int i, int count) {
        float[] out = new float[count * width];
        for (int r = 0; r < count; r++) {
            System.arraycopy(values, Math.floorMod(i + r, rows()) * width, out, r * width, width);
        }
        return out;
    }

    /**
     * SHA-256 of the width (4 bytes, big-endian) then every value as its IEEE-754 float bits (big-endian): what was
     * fed, so that evidence can be checked against the dataset.
     */
    public String sha256() {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * values.length);
        b.putInt(width);
        for (float v : values) {
            b.putFloat(v);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
