package dev.quantgate.gate;

import dev.quantgate.policy.rules.Candidate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A decision as stored: what was judged (the inputs a replay needs) and the judgement's canonical JSON exactly as
 * hashed.
 *
 * @param policyProblem why no policy judged it ({@code no_policy: ...} or {@code policy_conflict: ...}), else null
 */
public record StoredDecision(UUID id, String model, String version, Target target, String policyName,
                             String policySha256, String policyProblem, String evidenceSha256,
                             Map<String, String> modelTags, Map<String, String> versionTags,
                             List<Candidate.Waiver> waivers, List<Approval> approvals, String outcome, String requester,
                             Instant decidedAt, String judgementJson, String judgementSha256) {

    public StoredDecision {
        modelTags = Map.copyOf(modelTags);
        versionTags = Map.copyOf(versionTags);
        waivers = List.copyOf(waivers);
        approvals = List.copyOf(approvals);
    }
}
