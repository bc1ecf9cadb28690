package dev.quantgate.quantize.external;

import dev.quantgate.quantize.QuantizationEngine;
import dev.quantgate.quantize.QuantizationResult;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Quantizes one model in a JVM of its own (started by {@link LargeExternalModelTest} with a bounded
 * heap) and prints the result line, then {@code peak_heap_bytes=N}: the sum of the heap pools' peak
 * usage, an upper bound on the live heap at any moment.
 */
public final class LargeModelMain {

    private LargeModelMain() {
    }

    public static void main(String[] args) {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
        QuantizationSpec spec = QuantizationSpec.defaults(Scheme.fromId(args[2]));
        QuantizationResult r = new QuantizationEngine(new OrtRuntime(2, false))
                .quantize(Path.of(args[0]), Path.of(args[1]), spec, Optional.empty());
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        System.out.println(r.toJsonLine());
        System.out.println("peak_heap_bytes=" + peak);
    }
}
