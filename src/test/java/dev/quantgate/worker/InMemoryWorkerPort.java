package dev.quantgate.worker;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job queue in memory: jobs offered are leased in order; heartbeats and reports are recorded; a job whose lease
 * was taken away refuses both; {@link #unreachableLeases} makes the next leases fail as a network outage would.
 */
final class InMemoryWorkerPort implements WorkerPort {

    record Beat(long jobId, Progress progress) {
    }

    record Report(long jobId, String leaseToken, JobOutcome outcome) {
    }

    final ConcurrentLinkedQueue<JobAssignment> queued = new ConcurrentLinkedQueue<>();
    final Set<Long> lostLeases = ConcurrentHashMap.newKeySet();
    final List<Beat> beats = Collections.synchronizedList(new ArrayList<>());
    final LinkedBlockingQueue<Report> reports = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Long> released = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Beat> beatEvents = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Integer> leaseCalls = new LinkedBlockingQueue<>();
    final AtomicInteger unreachableLeases = new AtomicInteger();
    /** When set, every report waits until it is counted down (a slow server). */
    volatile CountDownLatch holdReports;
    private final AtomicInteger calls = new AtomicInteger();

    @Override
    public Optional<JobAssignment> lease(WorkerInfo worker) {
        int n = calls.incrementAndGet();
        try {
            if (unreachableLeases.getAndUpdate(x -> Math.max(0, x - 1)) > 0) {
                throw new UncheckedIOException(new java.net.ConnectException("connection refused"));
            }
            return Optional.ofNullable(queued.poll());
        } finally {
            leaseCalls.add(n);
        }
    }

    @Override
    public Instant heartbeat(long jobId, String leaseToken, Progress progress) throws LeaseLostException {
        if (lostLeases.contains(jobId)) {
            throw new LeaseLostException(jobId);
        }
        Beat b = new Beat(jobId, progress);
        beats.add(b);
        beatEvents.add(b);
        return Instant.now().plusSeconds(30);
    }

    @Override
    public void release(long jobId, String leaseToken) throws LeaseLostException {
        if (lostLeases.contains(jobId)) {
            throw new LeaseLostException(jobId);
        }
        released.add(jobId);
    }

    @Override
    public void report(long jobId, String leaseToken, JobOutcome outcome) throws LeaseLostException {
        CountDownLatch hold = holdReports;
        if (hold != null) {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a report was held", e);
            }
        }
        if (lostLeases.contains(jobId)) {
            throw new LeaseLostException(jobId);
        }
        reports.add(new Report(jobId, leaseToken, outcome));
    }
}
