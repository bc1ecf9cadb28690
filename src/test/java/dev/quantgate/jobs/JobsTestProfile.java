package dev.quantgate.jobs;

import dev.quantgate.testing.MutableClock;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The jobs tests' application: a policies folder of its own whose one policy selects {@code jobs-*} models with
 * a CPU variant, a GPU-only variant and a GPU variant that may fall back to CPU; the movable clock; two attempts
 * per job and a short retry backoff.
 */
public class JobsTestProfile implements QuarkusTestProfile {

    static final String POLICY = """
            apiVersion: quantgate.dev/v1
            kind: QuantizationPolicy
            metadata: {name: jobs-test}
            spec:
              selector: {models: ["jobs-*"]}
              evaluation:
                dataset: {tag: quantgate.eval_dataset}
                label: income
                bootstrap: 50
              calibration: {dataset: {uri: "mlflow-artifacts:/0/calibration.csv"}}
              variants:
                - {scheme: int8-dynamic}
                - {scheme: fp16, worker: gpu}
                - {scheme: int4-weight-only, block_size: 32, worker: gpu, fallback: cpu}
            """;

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "jobs-test-policies-");
            Files.writeString(dir.resolve("jobs-test.yaml"), POLICY);
            return Map.of("quantgate.policies.dir", dir.toString(),
                    "quantgate.jobs.max-attempts", "2",
                    "quantgate.jobs.retry-backoff-initial", "10s",
                    "quantgate.jobs.retry-backoff-max", "10s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(MutableClock.class);
    }
}
