package dev.quantgate.policy.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static dev.quantgate.policy.rules.Fixtures.judge;
import static dev.quantgate.policy.rules.Fixtures.only;
import static dev.quantgate.policy.rules.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequireRuleTest {

    private static final String CALIBRATION = "{id: cal, require: calibration_representative}";
    private static final String FRESH = "{id: fresh, require: evidence_fresh}";

    @Test
    void shouldPassARepresentativeCalibrationSet() {
        RuleResult r = only(judge(policy(CALIBRATION)), "cal");
        assertEquals(RuleStatus.PASS, r.status(), r.message());
    }

    @Test
    void shouldFailACalibrationSetMissingAGroup() {
        Judgement j = judge(policy(CALIBRATION), Fixtures.report(200, false), c -> { });
        RuleResult r = only(j, "cal");
        assertEquals(RuleStatus.FAIL, r.status());
        assertTrue(r.message().contains("sex&race=F&X (0 of calibration rows vs 0.05 of evaluation rows)"), r.message());
        assertEquals(Outcome.DENY, j.outcome());
    }

    @Test
    void shouldNotApplyCalibrationToSchemesThatDoNotCalibrate() {
        Judgement j = judge(policy(CALIBRATION), c -> c.put("scheme", "int8-dynamic"));
        assertEquals(RuleStatus.NOT_APPLICABLE, only(j, "cal").status());
        assertEquals(Outcome.ALLOW, j.outcome());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"no calibration check", "no scheme"})
    void shouldWantDataForCalibration(String what) {
        Judgement j = judge(policy(CALIBRATION), c -> {
            if (what.equals("no scheme")) {
                c.remove("scheme");
            } else {
                ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("evaluation")).remove("calibration");
            }
        });
        assertEquals(RuleStatus.INSUFFICIENT_DATA, only(j, "cal").status());
        assertEquals(Outcome.DENY, j.outcome());
    }

    @Test
    void shouldFindFreshEvidenceFresh() {
        Judgement j = judge(policy(FRESH));
        assertEquals(List.of("evaluation_section", "engine.evaluate", "engine.quantize", "recorded_at"),
                j.results().stream().map(RuleResult::check).toList());
        assertTrue(j.results().stream().allMatch(r -> r.status() == RuleStatus.PASS), j.results().toString());
        assertEquals(Outcome.ALLOW, j.outcome());
    }

    @ParameterizedTest(name = "{0}: {1} → {2}")
    @CsvSource({
            "quantize, quantgate-quantize/0.1.9, FAIL",
            "quantize, quantgate-quantize/0.10.0, PASS",
            "quantize, , INSUFFICIENT_DATA",
            "evaluate, , INSUFFICIENT_DATA",
            "quantize, nonsense, INSUFFICIENT_DATA",
    })
    void shouldRefuseEvidenceFromAnOlderOrUnnamedEngine(String engine, String version, String expected) {
        Judgement j = judge(policy(FRESH), c -> {
            var engines = (com.fasterxml.jackson.databind.node.ObjectNode) c.get("engines");
            if (version == null) {
                engines.remove(engine);
            } else {
                engines.put(engine, version);
            }
        });
        RuleResult r = j.results().stream().filter(x -> x.check().equals("engine." + engine)).findFirst().orElseThrow();
        assertEquals(RuleStatus.valueOf(expected), r.status(), r.message());
        assertEquals(expected.equals("PASS") ? Outcome.ALLOW : Outcome.DENY, j.outcome());
    }

    @Test
    void shouldRefuseEvidenceRecordedAfterTheJudgement() {
        Candidate.Evidence e = Fixtures.evidence(Fixtures.content(policy(FRESH), Fixtures.report(200, true), c -> { }));
        Candidate.Evidence future = new Candidate.Evidence(e.sha256(), e.content(), Fixtures.NOW.plusSeconds(60));
        Judgement j = PolicyJudge.withDefaults().judge(policy(FRESH), Fixtures.candidate(future), Fixtures.NOW);
        RuleResult r = j.results().stream().filter(x -> x.check().equals("recorded_at")).findFirst().orElseThrow();
        assertEquals(RuleStatus.FAIL, r.status());
        assertEquals(Outcome.DENY, j.outcome());
    }

    @Test
    void shouldCompareVersionsByTheirNumbers() {
        assertTrue(RequireRule.compare(RequireRule.version("x/0.10.0"), RequireRule.version("0.9.9")) > 0);
        assertEquals(0, RequireRule.compare(RequireRule.version("a/1.2"), RequireRule.version("b/1.2.0")));
    }
}
