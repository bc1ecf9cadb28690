package dev.quantgate.evidence;

import java.util.Objects;

/** The columns an evidence record is found by, beside its content (the job's, when it is stored). */
public record EvidenceIndex(long jobId, String model, int sourceVersion, String scheme, String specSha256,
                            String policySha256) {

    public EvidenceIndex {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(specSha256, "specSha256");
        Objects.requireNonNull(policySha256, "policySha256");
    }
}
