package dev.quantgate.policy;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The policy API tests' application: a fresh, empty policies folder of its own (under {@code target/}),
 * which the tests write; they read its path from the {@code quantgate.policies.dir} config.
 */
public class PolicyTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path target = Files.createDirectories(Path.of("target"));
            return Map.of("quantgate.policies.dir", Files.createTempDirectory(target, "policy-api-test-").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
