package dev.quantgate.policy.rules;

import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.policy.model.SmallGroups;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A promotion judgement: the outcome, why, one result per rule check, and the groups too small to judge.
 * {@link #toMap()} is a tree of sorted maps and ordered lists with every key always present, so that
 * {@link #canonicalJson()} (RFC 8785) of the same inputs is the same bytes and a stored decision replays byte
 * for byte. Shape ({@value #SCHEMA}):
 * <pre>{@code
 * {"schema", "outcome": "allow|deny|needs_approval", "judged_at",
 *  "policy": {"name", "sha256", "evaluation_sha256"},
 *  "candidate": {"model", "version", "model_tags", "version_tags", "evidence_sha256",
 *                "waivers": [{"id", "rule", "expires_at"}]},
 *  "reasons": [{"code", "rule", "message"}],
 *  "results": [RuleResult#toMap()],
 *  "small_groups": {"policy", "min_group_size", "groups": [{"group", "count", "rules": [...]}]}}
 * }</pre>
 */
public record Judgement(Outcome outcome, Instant judgedAt, String policyName, String policySha256, String evaluationSha256,
                        String model, String version, Map<String, String> modelTags, Map<String, String> versionTags,
                        String evidenceSha256, List<Candidate.Waiver> waivers, List<Reason> reasons,
                        List<RuleResult> results, SmallGroups smallGroupPolicy, Integer minGroupSize,
                        List<SmallGroup> smallGroups) {

    public static final String SCHEMA = "quantgate.judgement/v1";

    public Judgement {
        modelTags = modelTags == null ? Map.of() : new TreeMap<>(modelTags);
        versionTags = versionTags == null ? Map.of() : new TreeMap<>(versionTags);
        waivers = waivers == null ? List.of() : waivers.stream()
                .sorted(Comparator.comparing(Candidate.Waiver::id)).toList();
        reasons = List.copyOf(reasons);
        results = List.copyOf(results);
        smallGroups = List.copyOf(smallGroups);
    }

    /**
     * Why the outcome is what it is.
     *
     * @param code {@code policy_unreadable}, {@code evidence_missing}, {@code evidence_unreadable},
     *             {@code evidence_hash_mismatch}, {@code evidence_other_policy}, {@code rule_failed},
     *             {@code rule_insufficient_data}, {@code rule_error}, {@code small_groups}, {@code rule_waived},
     *             {@code no_rules}, {@code all_passed} or {@code internal_error}
     * @param rule the rule's id, or null
     */
    public record Reason(String code, String rule, String message) {

        Map<String, Object> toMap() {
            Map<String, Object> m = new TreeMap<>();
            m.put("code", code);
            m.put("rule", rule);
            m.put("message", message);
            return m;
        }
    }

    /** A group below {@code min_group_size} that a per-group rule reached, and those rules. */
    public record SmallGroup(String group, Long count, List<String> rules) {

        public SmallGroup {
            rules = List.copyOf(rules);
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> root = new TreeMap<>();
        root.put("schema", SCHEMA);
        root.put("outcome", outcome.id());
        root.put("judged_at", judgedAt == null ? null : judgedAt.toString());
        Map<String, Object> policy = new TreeMap<>();
        policy.put("name", policyName);
        policy.put("sha256", policySha256);
        policy.put("evaluation_sha256", evaluationSha256);
        root.put("policy", policy);
        Map<String, Object> candidate = new TreeMap<>();
        candidate.put("model", model);
        candidate.put("version", version);
        candidate.put("model_tags", modelTags);
        candidate.put("version_tags", versionTags);
        candidate.put("evidence_sha256", evidenceSha256);
        List<Object> ws = new ArrayList<>();
        for (Candidate.Waiver w : waivers) {
            Map<String, Object> m = new TreeMap<>();
            m.put("id", w.id());
            m.put("rule", w.ruleId());
            m.put("expires_at", w.expiresAt().toString());
            ws.add(m);
        }
        candidate.put("waivers", ws);
        root.put("candidate", candidate);
        root.put("reasons", reasons.stream().map(Reason::toMap).toList());
        root.put("results", results.stream().map(RuleResult::toMap).toList());
        Map<String, Object> small = new TreeMap<>();
        small.put("policy", smallGroupPolicy == null ? null : smallGroupPolicy.id());
        small.put("min_group_size", minGroupSize);
        List<Object> groups = new ArrayList<>();
        for (SmallGroup g : smallGroups) {
            Map<String, Object> m = new TreeMap<>();
            m.put("group", g.group());
            m.put("count", g.count());
            m.put("rules", g.rules());
            groups.add(m);
        }
        small.put("groups", groups);
        root.put("small_groups", small);
        return root;
    }

    /** RFC 8785 canonical JSON of {@link #toMap()}: what is stored and hashed. */
    public String canonicalJson() {
        return Jcs.write(toMap());
    }

    /** SHA-256 (hex) of {@link #canonicalJson()}. */
    public String sha256() {
        return sha256Of(canonicalJson());
    }

    /** SHA-256 (hex) of a judgement's canonical JSON, for callers that already hold it (canonicalising costs). */
    public static String sha256Of(String canonicalJson) {
        return PolicyInForce.sha256Hex(canonicalJson);
    }
}
