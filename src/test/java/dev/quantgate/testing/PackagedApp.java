package dev.quantgate.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Helpers of the whole-process tests (*IT) that start the packaged jar and kill it for real. */
public final class PackagedApp {

    private PackagedApp() {
    }

    /** A TCP port free at the moment of asking. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The postmaster of a killed JVM outlives it (and a failed test may leave it behind): stop it. */
    public static void stopOrphanPostgres(Path dataDir) throws Exception {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        if (postmaster.isPresent() && postmaster.get().isAlive()) {
            postmaster.get().destroy();
            postmaster.get().onExit().get(30, TimeUnit.SECONDS);
        }
    }
}
