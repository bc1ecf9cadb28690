package dev.quantgate.worker;

import java.util.Objects;

/**
 * A worker as it presents itself when leasing.
 *
 * @param id       stable for the process, e.g. {@code host-pid}
 * @param kind     {@code cpu} or {@code gpu}: what it can run ({@code gpu} workers also take {@code cpu} jobs)
 * @param hardware the hardware descriptor (CPU, memory, GPU, ONNX Runtime version, provider) as JSON-ready map
 */
public record WorkerInfo(String id, String kind, java.util.Map<String, Object> hardware) {

    public WorkerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        hardware = hardware == null ? java.util.Map.of() : java.util.Map.copyOf(hardware);
    }

    /**
     * This machine as a worker of the given kind: the hardware descriptor (CPU model and ISA flags, cores, memory,
     * GPUs, ONNX Runtime version, the execution providers its sessions use) that goes into every evidence record.
     */
    public static WorkerInfo detect(String id, String kind) {
        String providers = "gpu".equals(kind) ? "CUDA, CPU" : "CPU";
        return new WorkerInfo(id, kind, Evidence.hardware(dev.quantgate.evaluation.benchmark.HardwareDescriptor.detect(providers)));
    }
}
