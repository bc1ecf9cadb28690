package dev.quantgate.gate.dto;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A gate decision: what was judged, under which policy version and evidence, with which approvals and waivers, the
 * outcome, why ({@code reasons}: failing rules named), one result per rule check, and the judgement's canonical JSON
 * hash. A dry run has no id.
 */
public record DecisionView(UUID id, String model, String version, String target, String policyName, String policySha256,
                           List<String> evidenceSha256s, List<Map<String, Object>> approvals,
                           List<Map<String, Object>> waivers, String outcome, String requester, Instant decidedAt,
                           JsonNode reasons, JsonNode results, String judgementSha256, JsonNode judgement) {
}
