package dev.quantgate.kernel.retry;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes each queue's {@link Retrier}: on the application's {@link Clock}, counting attempts in
 * Micrometer, and telling every {@link AttemptListener} bean.
 */
@ApplicationScoped
public class Retriers {

    private final Clock clock;
    private final MeterRegistry meters;
    private final Instance<AttemptListener> listeners;

    public Retriers(Clock clock, MeterRegistry meters, @Any Instance<AttemptListener> listeners) {
        this.clock = clock;
        this.meters = meters;
        this.listeners = listeners;
    }

    /**
     * @param queue   the queue's name in events and the duration timer
     * @param counter the attempts counter's name, e.g. {@code quantgate.mlflow.outbox.attempts}
     */
    public Retrier create(String queue, String counter, RetryPolicy policy) {
        List<AttemptListener> all = new ArrayList<>();
        all.add(new AttemptMetrics(meters, counter));
        listeners.forEach(all::add);
        return new Retrier(queue, policy, clock, all);
    }
}
