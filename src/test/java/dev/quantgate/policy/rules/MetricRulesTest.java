package dev.quantgate.policy.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.util.List;

import static dev.quantgate.policy.rules.Fixtures.at;
import static dev.quantgate.policy.rules.Fixtures.judge;
import static dev.quantgate.policy.rules.Fixtures.only;
import static dev.quantgate.policy.rules.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricRulesTest {

    private static String n(double d) {
        return new BigDecimal(d).toPlainString();
    }

    /** Threshold placed relative to the engine's own figures: between point and worst CI end, or outside both. */
    @ParameterizedTest(name = "{0} {1} bound {2}, threshold at {3} → {4}")
    @CsvSource({
            // metric, pointer of point, pointer of worst end, bound, threshold place, expected
            "flip_rate, /flips/overall, /flips/ci/overall/1, point, above_worst, PASS",
            "flip_rate, /flips/overall, /flips/ci/overall/1, point, between, PASS",
            "flip_rate, /flips/overall, /flips/ci/overall/1, ci, between, FAIL",
            "flip_rate, /flips/overall, /flips/ci/overall/1, ci, above_worst, PASS",
            "flip_rate, /flips/overall, /flips/ci/overall/1, point, below_point, FAIL",
            "error_rate, /variant/overall/error_rate, /variant/overall/ci/error_rate/1, ci, between, FAIL",
            "error_rate, /variant/overall/error_rate, /variant/overall/ci/error_rate/1, point, between, PASS",
    })
    void shouldJudgeValueMaxOnPointOrWorstEndOfInterval(String metric, String point, String worst, String bound,
                                                        String place, String expected) {
        double p = at(point);
        double w = at(worst);
        double t = switch (place) {
            case "above_worst" -> w + 0.001;
            case "between" -> (p + w) / 2;
            default -> p - 0.001;
        };
        Judgement j = judge(policy("{id: v, metric: " + metric + ", value: {max: " + n(t) + "}, bound: " + bound + "}"));
        RuleResult r = only(j, "v");
        assertEquals(RuleStatus.valueOf(expected), r.status(), r.message());
        assertEquals(p, r.observed(), 1e-15);
        assertEquals(w, r.interval()[1], 1e-15);
        assertEquals(expected.equals("PASS") ? Outcome.ALLOW : Outcome.DENY, j.outcome());
    }

    @Test
    void shouldJudgeValueMinOnLowEnd() {
        double p = at("/variant/overall/accuracy");
        double lo = at("/variant/overall/ci/accuracy/0");
        String rule = "{id: v, metric: accuracy, value: {min: " + n((p + lo) / 2) + "}, bound: ";
        assertEquals(RuleStatus.PASS, only(judge(policy(rule + "point}")), "v").status());
        RuleResult ci = only(judge(policy(rule + "ci}")), "v");
        assertEquals(RuleStatus.FAIL, ci.status());
        assertTrue(ci.message().contains("below the"), ci.message());
        assertEquals("min", ci.check());
    }

    @ParameterizedTest(name = "max_decrease {0} with bound {1} → {2}")
    @CsvSource({
            "0.5, point, PASS", "0.5, ci, PASS",
            "between, point, PASS", "between, ci, FAIL",
            "0.001, point, FAIL", "0.001, ci, FAIL",
    })
    void shouldJudgeAccuracyDecreaseFromTheDeltaAndItsInterval(String threshold, String bound, String expected) {
        double delta = at("/delta/overall/accuracy");
        double lo = at("/delta/overall/ci/accuracy/0");
        double hi = at("/delta/overall/ci/accuracy/1");
        String t = threshold.equals("between") ? n((-delta + -lo) / 2) : threshold;
        RuleResult r = only(judge(policy("{id: drop, metric: accuracy, change: {max_decrease: " + t + "}, bound: " + bound + "}")), "drop");
        assertEquals(RuleStatus.valueOf(expected), r.status(), r.message());
        assertEquals(-delta, r.observed(), 1e-15);
        assertArrayEquals(new double[]{-hi, -lo}, r.interval(), 1e-15);
        assertTrue(r.message().startsWith("accuracy fell by " + Numbers.format(-delta) + " (95% CI "), r.message());
    }

    @Test
    void shouldJudgeIncreaseAndRatioAgainstTheSource() {
        double source = at("/source/overall/error_rate");
        double delta = at("/delta/overall/error_rate");
        Judgement j = judge(policy("{id: err, metric: error_rate, change: {max_increase: 0.5, max_ratio: 1.01}}"));
        RuleResult inc = j.results().get(0);
        RuleResult ratio = j.results().get(1);
        assertEquals("max_increase", inc.check());
        assertEquals(RuleStatus.PASS, inc.status());
        assertEquals(delta, inc.observed(), 1e-15);
        assertEquals("max_ratio", ratio.check());
        assertEquals((source + delta) / source, ratio.observed(), 1e-12);
        assertEquals(RuleStatus.FAIL, ratio.status(), "the variant errs more than 1% more often: " + ratio.message());
    }

    @Test
    void shouldJudgeEveryGroupAndIntersectionAndMarkSmallOnes() {
        Judgement j = judge(policy("needs_approval", true, "{id: g, metric: accuracy, per_group: all, change: {max_decrease: 0.5}}"));
        List<String> groups = j.results().stream().map(RuleResult::group).toList();
        assertEquals(List.of("race=X", "race=Y", "sex=F", "sex=M", "sex&race=F&X", "sex&race=F&Y", "sex&race=M&Y"), groups);
        for (RuleResult r : j.results()) {
            String[] ag = r.group().split("=");
            long count = (long) at("/source/by_attribute/" + ag[0] + "/groups/" + ag[1] + "/count");
            assertEquals(count, r.count());
            assertEquals(count < 30, r.smallGroup(), r.group());
            assertEquals(count < 30 ? RuleStatus.INSUFFICIENT_DATA : RuleStatus.PASS, r.status(), r.message());
        }
        assertEquals(Outcome.NEEDS_APPROVAL, j.outcome());
        assertEquals(List.of("race=X", "sex&race=F&X"), j.smallGroups().stream().map(Judgement.SmallGroup::group).toList());
        assertEquals(10L, j.smallGroups().get(0).count());
    }

    @ParameterizedTest(name = "small_groups: {0} → {1}")
    @CsvSource({"deny, DENY", "needs_approval, NEEDS_APPROVAL", "ignore, ALLOW", ", NEEDS_APPROVAL"})
    void shouldLetThePolicyDecideWhatSmallGroupsMean(String smallGroups, String expected) {
        Judgement j = judge(policy(smallGroups, true, "{id: flips, metric: flip_rate, per_group: all, value: {max: 0.9}}"));
        assertEquals(Outcome.valueOf(expected), j.outcome());
        assertEquals(2, j.smallGroups().size(), "listed whatever the policy says");
        assertEquals(smallGroups == null ? "needs_approval" : smallGroups, j.toMap().get("small_groups") instanceof java.util.Map<?, ?> m
                ? m.get("policy") : null);
        assertTrue(j.reasons().stream().anyMatch(r -> r.code().equals("small_groups")));
    }

    @Test
    void shouldJudgeFairnessPerAttributeOverSupportedGroupsAndListTheRest() {
        double sex = at("/variant/by_attribute/sex/fairness_supported/equalized_odds_difference");
        Judgement j = judge(policy("{id: eo, metric: equalized_odds_difference, value: {max: 0.9}}"));
        RuleResult bySex = j.results().stream().filter(r -> "sex".equals(r.group())).findFirst().orElseThrow();
        assertEquals(sex, bySex.observed(), 1e-15);
        assertEquals(RuleStatus.PASS, bySex.status());
        RuleResult byRace = j.results().stream().filter(r -> "race".equals(r.group())).findFirst().orElseThrow();
        assertTrue(byRace.smallGroup(), "race has one group with enough rows: " + byRace.message());
        assertTrue(j.results().stream().anyMatch(r -> "race=X".equals(r.group()) && r.smallGroup()));
        assertEquals(Outcome.NEEDS_APPROVAL, j.outcome());
    }

    @Test
    void shouldNotJudgeGroupsTheReportLacks() {
        RuleResult r = only(judge(policy("{id: g, metric: accuracy, per_group: [Martian], value: {min: 0}}")), "g");
        assertEquals(RuleStatus.INSUFFICIENT_DATA, r.status());
        assertEquals("Martian", r.group());
    }

    @Test
    void shouldSelectListedGroupsByLabelAttributeOrName() {
        Judgement j = judge(policy("{id: g, metric: accuracy, per_group: [sex, \"race=Y\"], value: {min: 0}}"));
        assertEquals(List.of("race=Y", "sex=F", "sex=M"), j.results().stream().map(RuleResult::group).toList());
        assertEquals(Outcome.ALLOW, j.outcome());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "metric missing from the report | {id: r, metric: roc_auc, value: {min: 0.5}} | INSUFFICIENT_DATA",
            "ci without intervals | {id: r, metric: accuracy, change: {max_decrease: 0.5}, bound: ci} | INSUFFICIENT_DATA",
            "change on a change metric | {id: r, metric: flip_rate, change: {max_increase: 0.1}} | ERROR",
    })
    void shouldDenyWhatCannotBeJudged(String name, String rule, String expected) {
        Judgement j = judge(policy(rule), Fixtures.report(0, true), c -> { });
        RuleResult r = only(j, "r");
        assertEquals(RuleStatus.valueOf(expected), r.status(), r.message());
        assertEquals(Outcome.DENY, j.outcome());
        assertEquals("deny", r.effect());
    }

    @Test
    void shouldJudgePointWithoutIntervals() {
        RuleResult r = only(judge(policy("{id: r, metric: accuracy, change: {max_decrease: 0.5}}"), Fixtures.report(0, true), c -> { }), "r");
        assertEquals(RuleStatus.PASS, r.status());
        assertNull(r.interval());
    }

    @Test
    void shouldSayInOneSentenceHowFarAGroupFell() {
        double delta = at("/delta/by_attribute/sex/groups/F/accuracy");
        double lo = at("/delta/by_attribute/sex/groups/F/ci/accuracy/0");
        double hi = at("/delta/by_attribute/sex/groups/F/ci/accuracy/1");
        RuleResult r = only(judge(policy("{id: g, metric: accuracy, per_group: [\"sex=F\"], change: {max_decrease: 0.02}}")), "g");
        assertEquals("accuracy for sex=F fell by " + Numbers.format(-delta) + " (95% CI " + Numbers.format(-hi) + "–"
                + Numbers.format(-lo) + "), more than the 0.02 allowed", r.message());
        assertEquals(RuleStatus.FAIL, r.status());
        assertEquals(100L, r.count());
    }
}
