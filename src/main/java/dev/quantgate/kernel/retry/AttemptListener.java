package dev.quantgate.kernel.retry;

/**
 * Observes attempts (a CDI bean implementing this is told about every queue's attempts). Called on
 * the attempting thread: keep it quick, and never throw (a listener's failure is logged and ignored).
 */
public interface AttemptListener {

    default void beforeAttempt(AttemptEvent.BeforeAttempt event) {
    }

    /** After the queue has recorded the decision. */
    default void afterAttempt(AttemptEvent.AfterAttempt event) {
    }
}
