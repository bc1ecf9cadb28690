package dev.quantgate.policy;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The policy API tests' application: a fresh, empty policies folder of its own (under {@code target/}),
 * which the tests write (they read its path from the {@code quantgate.policies.dir} config), scanned every second.
 */
public class PolicyTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path target = Files.createDirectories(Path.of("target"));
            return Map.of("quantgate.policies.dir", Files.createTempDirectory(target, "policy-api-test-").toString(),
                    // the periodic scan runs too (tests that need a change applied now call POST /reload)
                    "quantgate.policies.scan-every", "1s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
