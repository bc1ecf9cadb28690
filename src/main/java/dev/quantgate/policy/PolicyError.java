package dev.quantgate.policy;

/**
 * One reason a policy file was refused: the file, the 1-based line and column, the field as a path
 * ({@code spec.variants[1].block_size}, empty for the whole document) and what is wrong.
 */
public record PolicyError(String file, int line, int column, String field, String message) {

    /** {@code credit.yaml:12:7: spec.variants[1].block_size: 12 is not a power of two ...}. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + (field.isEmpty() ? "" : field + ": ") + message;
    }
}
