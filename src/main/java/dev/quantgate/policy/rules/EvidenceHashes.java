package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.kernel.json.Jcs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SHA-256 of evidence content's canonical JSON, as the judge checks it against the recorded hash. Canonicalising
 * a report (tens of kilobytes, thousands of numbers) is most of a decision's cost, so a content tree that hashed to
 * its recorded SHA-256 once is remembered, by identity, and not hashed again: the gate hands the same immutable tree
 * to every decision over that evidence (its readers cache trees by hash, and nothing writes into them). A different
 * tree, even one claiming the same hash, is hashed again. At most {@value #MAX} trees are remembered.
 */
final class EvidenceHashes {

    static final int MAX = 256;

    private static final Map<String, JsonNode> VERIFIED = new ConcurrentHashMap<>();

    private EvidenceHashes() {
    }

    /** The content's SHA-256; the recorded one at once when this very tree already hashed to it. */
    static String of(Candidate.Evidence e) {
        if (e.sha256() != null && VERIFIED.get(e.sha256()) == e.content()) {
            return e.sha256();
        }
        String actual = PolicyInForce.sha256Hex(Jcs.utf8(e.content()));
        if (actual.equals(e.sha256())) {
            if (VERIFIED.size() >= MAX) {
                VERIFIED.clear();
            }
            VERIFIED.put(actual, e.content());
        }
        return actual;
    }
}
