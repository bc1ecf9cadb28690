package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantgate.kernel.json.Jcs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.quantgate.policy.rules.Fixtures.NOW;
import static dev.quantgate.policy.rules.Fixtures.judge;
import static dev.quantgate.policy.rules.Fixtures.only;
import static dev.quantgate.policy.rules.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyJudgeTest {

    private static final String FAILING = "{id: drop, metric: accuracy, change: {max_decrease: 0.001}}";
    private static final String[] MIXED = {
            "{id: size, cel: 'variant.size_bytes <= source.size_bytes * 0.3'}",
            "{id: groups, metric: accuracy, per_group: all, change: {max_decrease: 0.02}, bound: ci}",
            "{id: eo, metric: equalized_odds_difference, value: {max: 0.10}, change: {max_increase: 0.02}}",
            "{id: fresh, require: evidence_fresh}",
            "{id: cal, require: calibration_representative}",
    };

    private static void assertDeniedFor(Judgement j, String code) {
        assertEquals(Outcome.DENY, j.outcome());
        assertEquals(code, j.reasons().get(0).code(), j.reasons().toString());
        assertTrue(j.results().isEmpty(), "no rule is judged when a precondition fails");
    }

    @Test
    void shouldDenyWithoutEvidence() {
        Judgement j = PolicyJudge.withDefaults().judge(policy(FAILING), Fixtures.candidate(null), NOW);
        assertDeniedFor(j, "evidence_missing");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "stale, evidence_other_policy",
            "unbound, evidence_other_policy",
            "no report, evidence_missing",
            "other schema, evidence_unreadable",
    })
    void shouldDenyEvidenceNotMadeUnderThisPolicy(String what, String code) {
        Consumer<ObjectNode> change = switch (what) {
            case "stale" -> c -> ((ObjectNode) c.get("policy")).put("evaluation_sha256", "0".repeat(64));
            case "unbound" -> c -> c.remove("policy");
            case "no report" -> c -> c.remove("evaluation");
            default -> c -> ((ObjectNode) c.get("evaluation")).put("schema", "quantgate.evaluation/v1");
        };
        assertDeniedFor(judge(policy(FAILING), change), code);
    }

    @Test
    void shouldDenyEvidenceMadeUnderAnotherEvaluationSection() {
        PolicyInForce other = policy("{id: r, metric: accuracy, change: {max_decrease: 0.5}}");
        PolicyInForce same = policy("{id: r, metric: accuracy, change: {max_decrease: 0.5}}", "{id: x, cel: 'true'}");
        assertEquals(other.evaluationSha256(), same.evaluationSha256(), "rules are not part of the evaluation section");
        JsonNode content = Fixtures.content(other, Fixtures.report(200, true), c -> { });
        JsonNode changed = Fixtures.content(other, Fixtures.report(200, true), c -> { });
        ((ObjectNode) changed.get("policy")).put("evaluation_sha256", PolicyInForce.sha256Hex("min_group_size: 20"));
        assertEquals(Outcome.ALLOW, PolicyJudge.withDefaults().judge(same, Fixtures.candidate(Fixtures.evidence(content)), NOW).outcome());
        Judgement j = PolicyJudge.withDefaults().judge(same, Fixtures.candidate(Fixtures.evidence(changed)), NOW);
        assertDeniedFor(j, "evidence_other_policy");
        assertTrue(j.reasons().get(0).message().contains("evaluate again"), j.reasons().get(0).message());
    }

    @Test
    void shouldDenyEvidenceWhoseContentDoesNotMatchItsHash() {
        Candidate.Evidence e = Fixtures.evidence(Fixtures.content(policy(FAILING), Fixtures.report(200, true), c -> { }));
        ((ObjectNode) e.content()).put("scheme", "fp16");
        assertDeniedFor(PolicyJudge.withDefaults().judge(policy(FAILING), Fixtures.candidate(e), NOW), "evidence_hash_mismatch");
    }

    @Test
    void shouldDenyUnderAnUnreadablePolicy() {
        Candidate.Evidence e = Fixtures.evidence(Fixtures.content(policy(FAILING), Fixtures.report(200, true), c -> { }));
        Judgement j = PolicyJudge.withDefaults().judge(PolicyInForce.unreadable("ab".repeat(32), "rules-test.yaml:3: bad"),
                Fixtures.candidate(e), NOW);
        assertDeniedFor(j, "policy_unreadable");
        assertTrue(j.reasons().get(0).message().contains("rules-test.yaml:3: bad"));
    }

    @Test
    void shouldDenyOnAnUnexpectedFailure() {
        Candidate.Evidence e = Fixtures.evidence(Fixtures.content(policy(FAILING), Fixtures.report(200, true), c -> { }));
        assertDeniedFor(PolicyJudge.withDefaults().judge(policy(FAILING), Fixtures.candidate(e), null), "internal_error");
    }

    @ParameterizedTest(name = "waiver {0} → {1}")
    @CsvSource({
            "in force, WAIVED, ALLOW",
            "expired, FAIL, DENY",
            "on another rule, FAIL, DENY",
            "in a policy without waivers, FAIL, DENY",
    })
    void shouldLetOnlyAWaiverInForceCoverAFailingRule(String which, String status, String outcome) {
        Instant expires = which.equals("expired") ? NOW : NOW.plusSeconds(86_400);
        String rule = which.equals("on another rule") ? "other" : "drop";
        PolicyInForce p = which.equals("in a policy without waivers") ? policy(null, false, FAILING) : policy(FAILING);
        Judgement j = judge(p, c -> { }, new Candidate.Waiver("w-1", rule, expires));
        RuleResult r = only(j, "drop");
        assertEquals(RuleStatus.valueOf(status), r.status());
        assertEquals(Outcome.valueOf(outcome), j.outcome());
        assertEquals(status.equals("WAIVED") ? "w-1" : null, r.waiver());
    }

    @Test
    void shouldJudgeKindsInPrecedenceOrder() {
        Judgement j = judge(policy(MIXED));
        List<String> kinds = j.results().stream().map(RuleResult::kind).distinct().toList();
        assertEquals(List.of("require", "cel", "value", "change"), kinds);
        assertEquals(List.of("fresh", "cal", "size", "eo", "groups"), j.results().stream().map(RuleResult::ruleId).distinct().toList());
    }

    @Test
    void shouldGiveTheSameCanonicalJsonForTheSameInputs() throws Exception {
        Judgement first = judge(policy(MIXED));
        ObjectNode content = Fixtures.content(policy(MIXED), Fixtures.report(200, true), c -> { });
        JsonNode reparsed = Fixtures.JSON.readTree(Jcs.write(content));
        Judgement again = PolicyJudge.withDefaults().judge(policy(MIXED), Fixtures.candidate(Fixtures.evidence(reparsed),
                new Candidate.Waiver("w-2", "none", NOW.plusSeconds(1))), NOW);
        Judgement third = PolicyJudge.withDefaults().judge(policy(MIXED), Fixtures.candidate(Fixtures.evidence(reparsed),
                new Candidate.Waiver("w-2", "none", NOW.plusSeconds(1))), NOW);
        assertEquals(again.canonicalJson(), third.canonicalJson());
        assertEquals(again.sha256(), third.sha256());
        assertEquals(first.results(), again.results());
        assertEquals(again.canonicalJson(), Jcs.canonicalize(again.canonicalJson()), "already canonical");
        assertNotEquals(first.canonicalJson(), again.canonicalJson(), "the waivers considered are part of the record");
    }

    @Test
    void shouldWriteEveryKeyOfTheJudgement() throws Exception {
        Judgement j = judge(policy(MIXED));
        JsonNode m = Fixtures.JSON.readTree(j.canonicalJson());
        for (String k : List.of("schema", "outcome", "judged_at", "policy", "candidate", "reasons", "results", "small_groups")) {
            assertTrue(m.has(k), k);
        }
        assertEquals(Judgement.SCHEMA, m.get("schema").asText());
        assertEquals(64, m.at("/candidate/evidence_sha256").asText().length());
        for (JsonNode r : m.get("results")) {
            for (String k : List.of("rule", "kind", "check", "status", "metric", "group", "count", "observed", "interval",
                    "threshold", "small_group", "error", "message", "waiver", "effect")) {
                assertTrue(r.has(k), k + " in " + r);
            }
        }
        RuleResult worst = j.results().stream().filter(r -> r.ruleId().equals("groups") && r.status() == RuleStatus.FAIL)
                .findFirst().orElseThrow();
        assertTrue(worst.message().matches("accuracy for \\S+ fell by [0-9.]+ \\(95% CI -?[0-9.]+–[0-9.]+\\); its worst end, "
                + "[0-9.]+, is more than the 0.02 allowed"), worst.message());
    }

    @Test
    void shouldAllowAPolicyWithoutRulesButSayWhy() {
        Judgement j = judge(policy());
        assertEquals(Outcome.ALLOW, j.outcome());
        assertEquals("no_rules", j.reasons().get(0).code());
        assertEquals(Map.of("risk", "high"), j.modelTags());
    }

    @Test
    void shouldJudgeEvidenceHeldAsMapsLikeItsStoredJson() throws Exception {
        PolicyInForce p = policy(MIXED);
        ObjectNode content = Fixtures.content(p, Fixtures.report(200, true), c -> { });
        @SuppressWarnings("unchecked")
        Map<String, Object> asMap = Fixtures.JSON.convertValue(content, Map.class);
        Candidate.Evidence fromMap = Candidate.Evidence.fromMap(Fixtures.evidence(content).sha256(), asMap, Fixtures.RECORDED);
        Judgement a = PolicyJudge.withDefaults().judge(p, Fixtures.candidate(fromMap), NOW);
        Judgement b = PolicyJudge.withDefaults().judge(p, Fixtures.candidate(Fixtures.evidence(content)), NOW);
        assertEquals(b.canonicalJson(), a.canonicalJson());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "value | {id: r, metric: flip_rate, value: {max: 0.001}}",
            "change | {id: r, metric: accuracy, change: {max_decrease: 0.001}, bound: ci}",
            "require | {id: r, require: calibration_representative}",
            "cel | {id: r, cel: 'variant.size_bytes < 10'}",
            "insufficient data | {id: r, metric: roc_auc, value: {min: 0.5}}",
    })
    void shouldWaiveAFailingRuleOfEveryKind(String kind, String rule) {
        PolicyInForce p = policy(rule);
        Judgement failing = judge(p, Fixtures.report(200, false), c -> { });
        assertEquals(Outcome.DENY, failing.outcome(), kind);
        Judgement waived = judge(p, Fixtures.report(200, false), c -> { }, new Candidate.Waiver("w-9", "r", NOW.plusSeconds(60)));
        assertTrue(waived.results().stream().allMatch(r -> r.status() == RuleStatus.WAIVED && "w-9".equals(r.waiver())),
                waived.results().toString());
        assertEquals(Outcome.ALLOW, waived.outcome());
        assertEquals("rule_waived", waived.reasons().get(0).code());
    }
}
