package dev.quantgate.policy.rules;

import dev.quantgate.policy.model.QuantizationPolicy;

import java.time.Instant;
import java.util.Map;

/**
 * What rule kinds judge against: the policy, the candidate, its evidence (already checked to exist and to be
 * bound to the policy's evaluation section), the report's figures (null when the policy has no evaluation
 * section), the smallest group size that counts, the engine versions required, and the time of judgement.
 */
public record RuleContext(PolicyInForce policy, Candidate candidate, EvidenceView evidence, ReportFigures figures,
                          int minGroupSize, Map<String, String> engineFloors, Instant now) {

    QuantizationPolicy spec() {
        return policy.policy();
    }
}
