package dev.quantgate.policy.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.quantgate.policy.rules.Fixtures.judge;
import static dev.quantgate.policy.rules.Fixtures.only;
import static dev.quantgate.policy.rules.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CelRuleTest {

    private static PolicyInForce cel(String expression) {
        return policy("{id: c, cel: '" + expression.replace("'", "''") + "'}");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "variant.size_bytes <= source.size_bytes * 0.3 | PASS",
            "variant.size_bytes <= source.size_bytes * 0.2 | FAIL",
            "variant.accuracy >= source.accuracy - 0.1 | PASS",
            "variant.count == 200 && evidence.scheme == 'int8-static' | PASS",
            "model.tags.risk == 'high' && version.version == '7' | PASS",
            "variant.by_attribute['sex'].groups.all(g, variant.by_attribute['sex'].groups[g].count >= 30) | PASS",
            "evidence.evaluation.flips.overall < 0.01 | FAIL",
    })
    void shouldEvaluateExpressionsOverTheEvidence(String expression, String expected) {
        Judgement j = judge(cel(expression));
        RuleResult r = only(j, "c");
        assertEquals(RuleStatus.valueOf(expected), r.status(), r.message());
        assertNull(r.error());
        assertEquals(expected.equals("PASS") ? Outcome.ALLOW : Outcome.DENY, j.outcome());
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "variant.size_bytes <= | cel_parse_error | does not parse",
            "nothing_declared > 1 | cel_check_error | undeclared reference",
            "1 + 2 | cel_not_boolean | not a bool",
            "variant.size_bytes | cel_not_boolean | not true or false",
            "variant.no_such_member > 1 | cel_runtime_error | ATTRIBUTE_NOT_FOUND",
            "1 / 0 == 1 | cel_runtime_error | DIVIDE_BY_ZERO",
            "variant.size_bytes > 'big' | cel_runtime_error | OVERLOAD_NOT_FOUND",
    })
    void shouldDenyOnEveryKindOfCelError(String expression, String code, String words) {
        Judgement j = judge(cel(expression));
        RuleResult r = only(j, "c");
        assertEquals(RuleStatus.ERROR, r.status());
        assertEquals(code, r.error());
        assertTrue(r.message().contains(words), r.message());
        assertEquals(Outcome.DENY, j.outcome());
        assertTrue(j.reasons().stream().anyMatch(x -> x.code().equals("rule_error") && "c".equals(x.rule())));
    }

    @Test
    void shouldTreatAMissingSizeAsAnError() {
        Judgement j = judge(cel("variant.size_bytes <= source.size_bytes * 0.3"), c -> c.remove("variant_artifact"));
        assertEquals("cel_runtime_error", only(j, "c").error());
        assertEquals(Outcome.DENY, j.outcome());
    }

    @Test
    void shouldNotWaiveAnError() {
        Judgement j = judge(cel("1 +"), c -> { }, new Candidate.Waiver("w1", "c", Fixtures.NOW.plusSeconds(3600)));
        assertEquals(RuleStatus.ERROR, only(j, "c").status());
        assertEquals(Outcome.DENY, j.outcome());
    }
}
