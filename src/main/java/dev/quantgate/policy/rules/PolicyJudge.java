package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.policy.model.Evaluation;
import dev.quantgate.policy.model.QuantizationPolicy;
import dev.quantgate.policy.model.Rule;
import dev.quantgate.policy.model.SmallGroups;
import dev.quantgate.quantize.QuantizationEngine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges a candidate under a policy: policy × evidence × waivers × time → {@link Judgement}. Fails closed:
 * nothing is allowed unless every check could be made and passed.
 * <p>Precedence:
 * <ol>
 *   <li>preconditions, each a deny on its own and no rule is judged: the policy is readable; there is evidence,
 *       its SHA-256 is that of its canonical JSON, and (when the policy has an evaluation section) it holds a
 *       {@value EvaluationReport#SCHEMA} report made under that section ({@code policy.evaluation_sha256});</li>
 *   <li>rules by kind, {@link #KINDS} order: {@code require}, then {@code cel}, then {@code value}, then
 *       {@code change}; within a kind, in the policy file's order; within a rule, per bound, then overall or the
 *       groups sorted by attribute and name. A rule a kind throws on gets an error result, the others still run;</li>
 *   <li>waivers, small groups and the outcome, as {@link Verdict} says.</li>
 * </ol>
 * Any unexpected exception denies, with {@code internal_error}. Plain Java, thread-safe, no clock of its own.
 */
public final class PolicyJudge {

    /** The rule kinds, in precedence order. */
    public static final List<RuleKind> KINDS = List.of(new RequireRule(), new CelRule(), new ValueRule(), new ChangeRule());

    private final Map<String, String> engineFloors;

    /**
     * @param engineFloors the oldest engine version {@code require: evidence_fresh} accepts, by engine
     *                     ({@code quantize}, {@code evaluate}); an engine without a floor must still be named
     */
    public PolicyJudge(Map<String, String> engineFloors) {
        this.engineFloors = new TreeMap<>(engineFloors);
    }

    /** Evidence must come from this build's quantization engine version or newer. */
    public static PolicyJudge withDefaults() {
        return new PolicyJudge(Map.of("quantize", QuantizationEngine.VERSION));
    }

    public Judgement judge(PolicyInForce policy, Candidate candidate, Instant now) {
        try {
            return judgeOrThrow(policy, candidate, now);
        } catch (RuntimeException | StackOverflowError e) {
            return denied(policy, candidate, now, List.of(new Judgement.Reason("internal_error", null,
                    "the judgement failed unexpectedly (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")")));
        }
    }

    private Judgement judgeOrThrow(PolicyInForce policy, Candidate candidate, Instant now) {
        if (candidate == null || now == null) {
            throw new IllegalArgumentException("a judgement needs a candidate and a time");
        }
        List<Judgement.Reason> stop = preconditions(policy, candidate);
        if (!stop.isEmpty()) {
            return denied(policy, candidate, now, stop);
        }
        QuantizationPolicy spec = policy.policy();
        EvidenceView evidence = new EvidenceView(candidate.evidence().content());
        ReportFigures figures = spec.evaluation().isPresent() ? new ReportFigures(evidence.evaluation()) : null;
        int minGroupSize = spec.evaluation().map(Evaluation::minGroupSize).orElse(Evaluation.DEFAULT_MIN_GROUP_SIZE);
        RuleContext ctx = new RuleContext(policy, candidate, evidence, figures, minGroupSize, engineFloors, now);
        List<RuleResult> results = new ArrayList<>();
        for (RuleKind kind : KINDS) {
            for (Rule rule : spec.rules()) {
                if (kind.appliesTo(rule)) {
                    results.addAll(run(kind, rule, ctx));
                }
            }
        }
        for (Rule rule : spec.rules()) {
            if (KINDS.stream().noneMatch(k -> k.appliesTo(rule))) {
                results.add(RuleResult.error(rule.id(), null, null, "rule_without_check", "the rule has no value, change, "
                        + "require or cel check"));
            }
        }
        results = Verdict.applyWaivers(spec, results, candidate.waivers(), now);
        SmallGroups small = spec.smallGroups();
        results = results.stream().map(r -> r.withEffect(Verdict.effect(r, small))).toList();
        Outcome outcome = Verdict.outcome(results);
        List<Judgement.Reason> reasons = new ArrayList<>(Verdict.reasons(results, small, minGroupSize));
        if (spec.rules().isEmpty()) {
            reasons.add(new Judgement.Reason("no_rules", null, "the policy has no rules"));
        } else if (reasons.isEmpty()) {
            reasons.add(new Judgement.Reason("all_passed", null, "every rule passed"));
        }
        return new Judgement(outcome, now, spec.name(), policy.sha256(), policy.evaluationSha256(), candidate.model(),
                candidate.version(), candidate.modelTags(), candidate.versionTags(), candidate.evidence().sha256(),
                candidate.waivers(), reasons, results, small, minGroupSize, Verdict.smallGroups(results));
    }

    private static List<RuleResult> run(RuleKind kind, Rule rule, RuleContext ctx) {
        try {
            List<RuleResult> out = kind.evaluate(rule, ctx);
            return out.isEmpty() ? List.of(RuleResult.error(rule.id(), kind.id(), null, "rule_without_result",
                    "the " + kind.id() + " check gave no result")) : out;
        } catch (RuntimeException | StackOverflowError e) {
            return List.of(RuleResult.error(rule.id(), kind.id(), null, "rule_exception", "the " + kind.id()
                    + " check failed unexpectedly (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")"));
        }
    }

    private static List<Judgement.Reason> preconditions(PolicyInForce policy, Candidate candidate) {
        if (policy == null || policy.policy() == null) {
            return List.of(reason("policy_unreadable", "the policy could not be read"
                    + (policy == null || policy.problem() == null ? "" : ": " + policy.problem())));
        }
        if (policy.sha256() == null) {
            return List.of(reason("policy_unreadable", "the policy has no SHA-256, so no decision could name it"));
        }
        if (policy.policy().evaluation().isPresent() != (policy.evaluationSha256() != null)) {
            return List.of(reason("policy_unreadable", "the policy's evaluation section and its hash do not go together"));
        }
        Candidate.Evidence e = candidate.evidence();
        if (e == null || e.content() == null || !e.content().isObject()) {
            return List.of(reason("evidence_missing", "no evidence is recorded for " + candidate.model() + " version "
                    + candidate.version()));
        }
        String actual = EvidenceHashes.of(e);
        if (!actual.equals(e.sha256())) {
            return List.of(reason("evidence_hash_mismatch", "the evidence's content hashes to " + actual + ", not its recorded "
                    + e.sha256()));
        }
        if (policy.evaluationSha256() == null) {
            return List.of();
        }
        JsonNode report = e.content().path(EvidenceView.EVALUATION);
        if (!report.isObject()) {
            return List.of(reason("evidence_missing", "the evidence has no evaluation report"));
        }
        if (!EvaluationReport.SCHEMA.equals(report.path("schema").asText())) {
            return List.of(reason("evidence_unreadable", "the evidence's evaluation report is '" + report.path("schema").asText()
                    + "', not " + EvaluationReport.SCHEMA));
        }
        String bound = new EvidenceView(e.content()).policyEvaluationSha256();
        if (!policy.evaluationSha256().equals(bound)) {
            return List.of(reason("evidence_other_policy", bound == null
                    ? "the evidence names no policy evaluation section (policy.evaluation_sha256)"
                    : "the evidence was made under evaluation section " + bound + ", not this policy's "
                            + policy.evaluationSha256() + ": evaluate again under this policy"));
        }
        return List.of();
    }

    private static Judgement.Reason reason(String code, String message) {
        return new Judgement.Reason(code, null, message);
    }

    private static Judgement denied(PolicyInForce policy, Candidate candidate, Instant now, List<Judgement.Reason> reasons) {
        QuantizationPolicy spec = policy == null ? null : policy.policy();
        Candidate.Evidence e = candidate == null ? null : candidate.evidence();
        return new Judgement(Outcome.DENY, now, spec == null ? null : spec.name(), policy == null ? null : policy.sha256(),
                policy == null ? null : policy.evaluationSha256(), candidate == null ? null : candidate.model(),
                candidate == null ? null : candidate.version(), candidate == null ? null : candidate.modelTags(),
                candidate == null ? null : candidate.versionTags(), e == null ? null : e.sha256(),
                candidate == null ? null : candidate.waivers(), reasons, List.of(),
                spec == null ? null : spec.smallGroups(), null, List.of());
    }
}
