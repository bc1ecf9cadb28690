package dev.quantgate.policy.model;

import java.time.Duration;
import java.util.Objects;

/** Time-limited waivers of a rule: none may last longer than {@code maxDuration}. */
public record Waivers(Duration maxDuration) {

    public Waivers {
        Objects.requireNonNull(maxDuration, "maxDuration");
    }
}
