package dev.quantgate.mlflow.webhook;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;
import java.util.Set;

/**
 * The webhook tests' application: the clock ({@link dev.quantgate.testing.MutableClock}) started at the time the fixtures were recorded (so their
 * real signatures and timestamps replay), the fixtures' secrets configured (two, as during a
 * rotation), short backoffs, and a {@link ControllableSink} in place of the registry mirror.
 */
public class WebhookTestProfile implements QuarkusTestProfile {

    static final String NOW = "2026-11-26T17:51:00Z";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quantgate.test.clock-anchor", NOW,
                "quantgate.webhook.inbox.backoff-jitter", "none",
                "quantgate.webhook.secrets", "fixture-webhook-secret-0123456789,fixture-retry-secret",
                "quantgate.webhook.inbox.backoff-initial", "150ms",
                "quantgate.webhook.inbox.backoff-max", "600ms",
                "quantgate.webhook.inbox.max-attempts", "3",
                "quantgate.webhook.inbox.poll-interval", "50ms",
                "quantgate.webhook.inbox.workers", "2");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ControllableSink.class);
    }
}
