package dev.quantgate.mlflow.webhook;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;

/**
 * "Now" for the webhook timestamp check: the application's one {@link Clock} (tests replace that
 * bean to replay recorded deliveries at the time they were signed).
 */
@ApplicationScoped
public class WebhookClock {

    private final Clock clock;

    public WebhookClock(Clock clock) {
        this.clock = clock;
    }

    public Instant now() {
        return clock.instant();
    }
}
