package dev.quantgate.kernel.retry;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Objects;

/**
 * One queue's attempts as Micrometer meters: a counter {@code <name>{outcome=<result>|retry|parked}}
 * and a timer {@code quantgate.attempt.duration{queue=...}}.
 */
public final class AttemptMetrics implements AttemptListener {

    private final MeterRegistry meters;
    private final String counter;

    /** @param counter the counter's name, e.g. {@code quantgate.mlflow.outbox.attempts} */
    public AttemptMetrics(MeterRegistry meters, String counter) {
        this.meters = Objects.requireNonNull(meters, "meters");
        this.counter = Objects.requireNonNull(counter, "counter");
    }

    @Override
    public void afterAttempt(AttemptEvent.AfterAttempt event) {
        meters.counter(counter, "outcome", event.decision().label()).increment();
        Timer.builder("quantgate.attempt.duration").tag("queue", event.queue()).register(meters).record(event.took());
    }
}
