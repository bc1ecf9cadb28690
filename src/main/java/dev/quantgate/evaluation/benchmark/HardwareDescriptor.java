package dev.quantgate.evaluation.benchmark;

import ai.onnxruntime.OrtEnvironment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The machine and runtime a benchmark ran on.
 *
 * @param cpuModel the CPU's model name (/proc/cpuinfo), or the JVM's {@code os.arch}
 * @param isaFlags the vector and matrix instruction-set extensions the CPU reports that ONNX Runtime kernels use
 *                 (AVX, AVX2, AVX-512 subsets, VNNI, AMX, FMA, F16C; NEON/ASIMD, dot product on ARM)
 * @param cores logical processors available to the JVM
 * @param memoryBytes the machine's memory (MemTotal), or -1
 * @param gpus one line per GPU from {@code nvidia-smi} (name, memory, driver), empty when none is found
 * @param onnxRuntimeVersion the ONNX Runtime version
 * @param executionProviders the providers sessions used ({@code CUDA, CPU} or {@code CPU})
 * @param os operating system and kernel
 * @param java the JVM's version
 */
public record HardwareDescriptor(String cpuModel, List<String> isaFlags, int cores, long memoryBytes, List<String> gpus,
                                 String onnxRuntimeVersion, String executionProviders, String os, String java) {

    private static final Set<String> INTERESTING = Set.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
            "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_bf16", "amx_int8",
            "amx_tile", "asimd", "asimddp", "sve", "i8mm", "bf16", "fphp", "asimdhp");

    public HardwareDescriptor {
        isaFlags = List.copyOf(isaFlags);
        gpus = List.copyOf(gpus);
    }

    /**
     * Whether ONNX Runtime's x86 u8·s8 integer kernels saturate on this CPU: an x86 CPU without VNNI (AVX-512 VNNI
     * or AVX-VNNI), where products are added pairwise in 16-bit lanes ({@code vpmaddubsw}) that 8-bit weights can
     * overflow. ONNX Runtime advises 7-bit weights ({@code reduce_range}) there.
     */
    public boolean saturatingIntegerKernels() {
        boolean x86 = isaFlags.contains("sse4_2") || isaFlags.contains("avx") || isaFlags.contains("avx2");
        return x86 && !isaFlags.contains("avx512_vnni") && !isaFlags.contains("avx_vnni");
    }

    /** Describes this machine; {@code providers} is what the benchmark's sessions used. */
    public static HardwareDescriptor detect(String providers) {
        String model = System.getProperty("os.arch");
        Set<String> flags = new TreeSet<>();
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if ((key.equals("model name") || key.equals("Model")) && model.equals(System.getProperty("os.arch"))) {
                model = value;
            }
            if (key.equals("flags") || key.equals("Features")) {
                for (String f : value.split("\\s+")) {
                    if (INTERESTING.contains(f.toLowerCase(Locale.ROOT))) {
                        flags.add(f.toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        long memory = -1;
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                memory = kib(line);
            }
        }
        return new HardwareDescriptor(model, new ArrayList<>(flags), Runtime.getRuntime().availableProcessors(), memory,
                nvidiaSmi(), OrtEnvironment.getEnvironment().getVersion(), providers,
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("java.version"));
    }

    static long kib(String procLine) {
        String[] parts = procLine.split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** GPUs as nvidia-smi lists them, when it is installed; an absent or failing nvidia-smi means none. */
    private static List<String> nvidiaSmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name,memory.total,driver_version",
                    "--format=csv,noheader").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
