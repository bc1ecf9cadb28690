package dev.quantgate.policy.model;

import java.util.Objects;

/**
 * The calibration set for static quantization ({@code spec.calibration}): default dataset tag
 * {@value #DEFAULT_DATASET_TAG}; a group is under-represented when its calibration share is below its
 * evaluation share divided by {@code maxUnderrepresentation} (default 2).
 */
public record Calibration(DatasetRef dataset, double maxUnderrepresentation) {

    public static final String DEFAULT_DATASET_TAG = "quantgate.calibration_dataset";
    public static final double DEFAULT_MAX_UNDERREPRESENTATION = 2.0;

    public Calibration {
        Objects.requireNonNull(dataset, "dataset");
    }
}
