package dev.quantgate.mlflow.poller;

import dev.quantgate.mlflow.client.MlflowConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** With an MLflow URL and nothing else set, a reconciling poll runs every 5 minutes; 0 turns it off. */
class PollDefaultsTest {

    @Test
    void shouldReconcileEveryFiveMinutesUnlessTurnedOff() throws IOException {
        assertEquals(Duration.ofMinutes(5), config(Map.of("quantgate.mlflow.url", "http://mlflow:5000")).pollInterval());
        assertEquals(Duration.ZERO, config(Map.of("quantgate.mlflow.url", "http://mlflow:5000",
                "quantgate.mlflow.poll-interval", "0")).pollInterval());
        assertEquals(MlflowConfig.HttpVersion.HTTP_1_1, config(Map.of()).httpVersion());

        Properties shipped = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            shipped.load(in);
        }
        assertEquals("${QUANTGATE_MLFLOW_POLL_INTERVAL:5m}", shipped.getProperty("quantgate.mlflow.poll-interval"),
                "the shipped configuration keeps the default");
    }

    private static MlflowConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(MlflowConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(MlflowConfig.class);
    }
}
