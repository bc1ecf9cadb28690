package dev.quantgate.mlflow.webhook;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * "Now" for the webhook timestamp check: the system clock, or the fixed instant of
 * {@code quantgate.webhook.clock-override} (tests replaying recorded deliveries).
 */
@ApplicationScoped
public class WebhookClock {

    private final Instant fixed;

    public WebhookClock(WebhookConfig config) {
        this.fixed = config.clockOverride().filter(s -> !s.isBlank()).map(WebhookClock::parse).orElse(null);
    }

    public Instant now() {
        return fixed != null ? fixed : Instant.now();
    }

    private static Instant parse(String value) {
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "quantgate.webhook.clock-override must be an ISO-8601 instant such as 2026-11-26T17:51:00Z, was '"
                            + value + "'", e);
        }
    }
}
