package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.kernel.json.Jcs;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The remembered evidence hash: the very tree that hashed right once is not hashed again; any other tree is. */
class EvidenceHashesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldHashAnotherTreeClaimingAVerifiedHashAgain() throws Exception {
        JsonNode honest = JSON.readTree("{\"model\": \"m\", \"accuracy\": 0.91, \"groups\": [1, 2]}");
        String sha = PolicyInForce.sha256Hex(Jcs.utf8(honest));
        Instant at = Instant.parse("2026-12-03T00:00:00Z");

        assertEquals(sha, EvidenceHashes.of(new Candidate.Evidence(sha, honest, at)));
        assertEquals(sha, EvidenceHashes.of(new Candidate.Evidence(sha, honest, at)), "the same tree again");

        JsonNode forged = JSON.readTree("{\"model\": \"m\", \"accuracy\": 0.99, \"groups\": [1, 2]}");
        String actual = EvidenceHashes.of(new Candidate.Evidence(sha, forged, at));
        assertNotEquals(sha, actual, "a different tree under the verified hash is hashed, and its own hash shows");
        assertEquals(PolicyInForce.sha256Hex(Jcs.utf8(forged)), actual);
        assertEquals(sha, EvidenceHashes.of(new Candidate.Evidence(sha, honest, at)), "the honest tree still passes");
    }
}
