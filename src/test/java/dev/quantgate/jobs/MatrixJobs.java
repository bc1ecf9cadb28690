package dev.quantgate.jobs;

import dev.quantgate.evidence.EvidenceIndex;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.testing.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;

import java.util.Map;

/**
 * Jobs and evidence for the authorization matrix: a failed job to read and retry, a leased job whose token
 * the heartbeat and report bodies carry (a fresh one for each call: a report ends the lease), an evidence record.
 */
public final class MatrixJobs {

    /** A leased job and its token. */
    public record Leased(long id, String token) {
    }

    private static final String MODEL = "matrix-model";
    private static volatile Leased current;

    private MatrixJobs() {
    }

    public static long failed() {
        return JobRows.insert(MODEL, 1, "failed", null);
    }

    /** Leases a fresh job and answers its token; {@link #leased()} then names that job. */
    public static synchronized String lease() {
        String token = "matrix-" + TestTokens.shortId();
        current = new Leased(JobRows.insert(MODEL, 1, "leased", token), token);
        return token;
    }

    /** The job {@link #lease()} leased last (one is leased when none was). */
    public static synchronized Leased leased() {
        if (current == null) {
            lease();
        }
        return current;
    }

    public static String evidence() {
        long job = failed();
        EvidenceStore store = Arc.container().instance(EvidenceStore.class).get();
        return QuarkusTransaction.requiringNew().call(() -> store.put(Map.of("matrix", true),
                new EvidenceIndex(job, MODEL, 1, "int8-dynamic", "a".repeat(64), "b".repeat(64))));
    }
}
