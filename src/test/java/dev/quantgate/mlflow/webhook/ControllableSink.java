package dev.quantgate.mlflow.webhook;

import dev.quantgate.mlflow.client.MlflowUnavailableException;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEventSink;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The registry sink of {@link WebhookTestProfile}: records every event it applies (with the time of
 * each attempt), fails on demand for a model, and can be slowed down for a model.
 */
@Alternative
@ApplicationScoped
public class ControllableSink implements RegistryEventSink {

    /** One call: the event, when it was attempted, and whether it succeeded. */
    record Call(RegistryEvent event, Instant at, boolean applied) {
    }

    private final List<Call> calls = new ArrayList<>();
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private final Map<String, Long> delays = new ConcurrentHashMap<>();

    @Override
    public int apply(RegistryEvent event) {
        Long delay = delays.get(event.model());
        if (delay != null) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        AtomicInteger failures = failuresLeft.get(event.model());
        boolean fail = failures != null && failures.getAndUpdate(n -> n > 0 ? n - 1 : n) != 0;
        synchronized (calls) {
            calls.add(new Call(event, Instant.now(), !fail));
        }
        if (fail) {
            throw new MlflowUnavailableException("MLflow unreachable (test failure for " + event.model() + ")", null);
        }
        return 1;
    }

    /** The next {@code times} events for the model fail ({@code -1}: every one, until {@link #heal}). */
    void failNext(String model, int times) {
        failuresLeft.put(model, new AtomicInteger(times));
    }

    void heal(String model) {
        failuresLeft.remove(model);
    }

    void slowDown(String model, long millis) {
        delays.put(model, millis);
    }

    /** Calls for a model, in the order they happened. */
    List<Call> callsFor(String model) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.event().model().equals(model)).toList();
        }
    }

    /** Calls for one delivery, by its id. */
    List<Call> callsForDelivery(String deliveryId) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.event().origin().equals("webhook:" + deliveryId)).toList();
        }
    }
}
