package dev.quantgate.worker;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The whole pipeline in one process: a policy for {@code adult-*} models with all four variants, the in-process
 * worker on (with a short benchmark), the outbox dispatching on its own, and a webhook secret the test signs with.
 */
public class PipelineTestProfile implements QuarkusTestProfile {

    static final String SECRET = "pipeline-webhook-secret-0123456789";

    public static final String POLICY = """
            apiVersion: quantgate.dev/v1
            kind: QuantizationPolicy
            metadata: {name: adult-income, description: "Income models: quantized variants judged per group"}
            spec:
              selector: {models: ["adult-*"]}
              evaluation:
                dataset: {tag: quantgate.eval_dataset}
                label: income
                positive: ">50K"
                classes: [">50K", "<=50K"]
                sensitive: [sex, race]
                intersections: true
                bootstrap: 50
                min_group_size: 30
              calibration: {dataset: {tag: quantgate.calibration_dataset}}
              variants:
                - {scheme: int8-dynamic}
                - {scheme: int8-static}
                - {scheme: fp16}
                - {scheme: int4-weight-only, block_size: 32}
            """;

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "pipeline-policies-");
            Files.writeString(dir.resolve("adult-income.yaml"), POLICY);
            return Map.of("quantgate.policies.dir", dir.toString(),
                    "quantgate.worker.in-process", "true",
                    "quantgate.worker.work-dir", Files.createTempDirectory(Path.of("target"), "pipeline-work-").toString(),
                    "quantgate.worker.benchmark.warmups", "2",
                    "quantgate.worker.benchmark.latency-runs", "20",
                    "quantgate.worker.benchmark.throughput-runs", "4",
                    "quantgate.mlflow.outbox.dispatch-every", "100ms",
                    "quantgate.jobs.inspect-every", "100ms",
                    "quantgate.webhook.secrets", SECRET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
