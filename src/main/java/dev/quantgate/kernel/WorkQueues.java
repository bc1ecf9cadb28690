package dev.quantgate.kernel;

import dev.quantgate.kernel.retry.AttemptListener;
import dev.quantgate.kernel.retry.AttemptMetrics;
import dev.quantgate.kernel.retry.Retrier;
import dev.quantgate.kernel.retry.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes each {@link WorkQueue}: on the application's {@link Clock}, its attempts counted in
 * Micrometer and told to every {@link AttemptListener} bean, its loop started and stopped by {@link Loops}.
 */
@ApplicationScoped
public class WorkQueues {

    private final Clock clock;
    private final MeterRegistry meters;
    private final Instance<AttemptListener> listeners;
    private final Loops loops;

    public WorkQueues(Clock clock, MeterRegistry meters, @Any Instance<AttemptListener> listeners, Loops loops) {
        this.clock = clock;
        this.meters = meters;
        this.listeners = listeners;
        this.loops = loops;
    }

    /**
     * @param name    the queue's name in events, thread names and the duration timer
     * @param counter the attempts counter's name, e.g. {@code quantgate.mlflow.outbox.attempts}
     */
    public WorkQueue create(String name, String counter, RetryPolicy policy) {
        List<AttemptListener> all = new ArrayList<>();
        all.add(new AttemptMetrics(meters, counter));
        listeners.forEach(all::add);
        return new WorkQueue(name, new Retrier(name, policy, clock, all), clock, loops);
    }
}
