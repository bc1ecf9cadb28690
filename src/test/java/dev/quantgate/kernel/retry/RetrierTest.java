package dev.quantgate.kernel.retry;

import dev.quantgate.kernel.Backoff;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrierTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final RetryPolicy POLICY = new RetryPolicy(3,
            new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), Backoff.Jitter.NONE));

    private final List<AttemptEvent> events = new ArrayList<>();
    private final List<AttemptEvent.AfterAttempt> recorded = new ArrayList<>();
    private final Retrier retrier = new Retrier("test-queue", POLICY, CLOCK, List.of(new AttemptListener() {
        @Override
        public void beforeAttempt(AttemptEvent.BeforeAttempt event) {
            events.add(event);
        }

        @Override
        public void afterAttempt(AttemptEvent.AfterAttempt event) {
            events.add(event);
        }
    }));

    private static RetryHandler<String> handler(String accepts, Outcome outcome) {
        return new RetryHandler<>() {
            @Override
            public boolean canHandle(String task) {
                return task.startsWith(accepts);
            }

            @Override
            public Outcome handle(String task) {
                return outcome;
            }
        };
    }

    @Test
    void shouldScheduleATransientFailureOnTheClockWithTheBackoff() {
        AttemptEvent.AfterAttempt after = retrier.attempt("t1", 2, "job",
                List.of(handler("job", new Outcome.RetryLater("MLflow is down"))), recorded::add);

        Decision.RetryAt retry = assertInstanceOf(Decision.RetryAt.class, after.decision());
        assertEquals(NOW.plusSeconds(2), retry.at(), "second failure: 1 s doubled, from the queue's clock");
        assertEquals("MLflow is down", retry.reason());
        assertEquals(List.of(after), recorded);
        assertInstanceOf(AttemptEvent.BeforeAttempt.class, events.get(0));
        assertEquals(after, events.get(1), "listeners hear after the queue recorded the decision");
    }

    @Test
    void shouldHonourTheDelayAHandlerAsksFor() {
        AttemptEvent.AfterAttempt after = retrier.attempt("t", 1, "job", List.of(handler("job",
                new Outcome.RetryLater("rate limited", Optional.of(Duration.ofSeconds(30))))), recorded::add);
        assertEquals(NOW.plusSeconds(30), ((Decision.RetryAt) after.decision()).at());
    }

    @Test
    void shouldParkAPermanentFailureAtOnceAndATransientOneWhenAttemptsAreUsedUp() {
        Decision permanent = retrier.attempt("t", 1, "job",
                List.of(handler("job", new Outcome.FailedForGood("version 'abc' is not a number"))), recorded::add)
                .decision();
        assertEquals(new Decision.Parked("version 'abc' is not a number"), permanent);

        Decision exhausted = retrier.attempt("t", 3, "job",
                List.of(handler("job", new Outcome.RetryLater("still down"))), recorded::add).decision();
        Decision.Parked parked = assertInstanceOf(Decision.Parked.class, exhausted);
        assertEquals("Gave up after 3 attempts: still down", parked.reason());
        assertEquals("parked", exhausted.label());
    }

    @Test
    void shouldPickTheFirstHandlerThatCanHandleTheTask() {
        Decision decision = retrier.attempt("t", 1, "send:1", List.of(handler("job", new Outcome.Done("wrong")),
                handler("send", new Outcome.Done("sent"))), recorded::add).decision();
        assertEquals(new Decision.Completed("sent"), decision);
        assertEquals("sent", decision.label());
    }

    @Test
    void shouldParkATaskNoHandlerTakes() {
        Decision decision = retrier.attempt("t", 1, "other", List.of(handler("job", new Outcome.Done("x"))),
                recorded::add).decision();
        assertTrue(((Decision.Parked) decision).reason().contains("No handler"));
    }

    @Test
    void shouldTurnAnEscapingExceptionIntoATransientFailureNamingALogReferenceNotTheException() {
        RetryHandler<String> broken = new RetryHandler<>() {
            @Override
            public boolean canHandle(String task) {
                return true;
            }

            @Override
            public Outcome handle(String task) {
                throw new NullPointerException("Cannot invoke \"String.length()\" because \"s\" is null");
            }
        };
        Decision.RetryAt retry = assertInstanceOf(Decision.RetryAt.class,
                retrier.attempt("t9", 1, "job", List.of(broken), recorded::add).decision());
        assertTrue(retry.reason().matches("Unexpected error while processing test-queue task t9 \\(ref [0-9a-f]{6}\\)"),
                retry.reason());
        assertFalse(retry.reason().contains("NullPointer"), retry.reason());
    }

    @Test
    void shouldNotCallListenersAfterWhenRecordingFails() {
        try {
            retrier.attempt("t", 1, "job", List.of(handler("job", new Outcome.Done("ok"))), a -> {
                throw new IllegalStateException("database down");
            });
        } catch (IllegalStateException expected) {
            assertEquals(1, events.size(), "only the before-attempt event: nothing was recorded");
            return;
        }
        throw new AssertionError("the recorder's failure propagates");
    }
}
