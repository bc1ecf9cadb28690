package dev.quantgate.policy.model;

import dev.quantgate.quantize.spec.QuantizationSpec;

import java.util.Locale;
import java.util.Objects;

/**
 * One variant to make for each new version: a validated quantization spec, the worker kind it needs,
 * and whether a CPU worker may run it when no GPU worker is there ({@code fallback: cpu}).
 */
public record Variant(QuantizationSpec spec, WorkerKind worker, boolean cpuFallback) {

    public Variant {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(worker, "worker");
    }

    /** The worker a job needs. */
    public enum WorkerKind {
        CPU, GPU;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
