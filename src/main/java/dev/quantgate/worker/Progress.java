package dev.quantgate.worker;

import java.util.Objects;

/** Where a running job is: its stage and how far through it (0–100). */
public record Progress(Stage stage, int percent) {

    public Progress {
        Objects.requireNonNull(stage, "stage");
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be within 0..100, was " + percent);
        }
    }

    public enum Stage { DOWNLOADING, QUANTIZING, BENCHMARKING, EVALUATING, UPLOADING }
}
