package dev.quantgate.quantize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether ONNX Runtime's x86 u8·s8 integer kernels saturate on this CPU. Without VNNI (AVX-512 VNNI or AVX-VNNI)
 * they multiply-add pairs of products into 16-bit lanes ({@code vpmaddubsw}), which saturate for 8-bit weights; ONNX
 * Runtime's own guidance is to quantize weights to 7 bits there ({@code reduce_range}). Tests that hold int8 to
 * accuracy bounds quantize with {@code reduce_range} on such a CPU, as a user of it should; the evidence records
 * the CPU's ISA flags either way.
 */
public final class IntegerKernels {

    private static final boolean SATURATING = detect();

    private IntegerKernels() {
    }

    /** True on an x86 CPU without VNNI; false elsewhere (and where the flags cannot be read). */
    public static boolean saturating() {
        return SATURATING;
    }

    private static boolean detect() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return false;
        }
        try {
            String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                    .findFirst().orElse("");
            return !flags.isEmpty() && !flags.contains(" avx512_vnni") && !flags.contains(" avx_vnni");
        } catch (IOException e) {
            return false;
        }
    }
}
