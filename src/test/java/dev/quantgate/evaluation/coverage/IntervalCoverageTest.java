package dev.quantgate.evaluation.coverage;

import dev.quantgate.evaluation.engine.IntervalMethod;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small-scale run of the coverage simulation (bench/evaluate-coverage.sh runs the full one): 200 datasets of
 * 400 rows, 200 resamples each. With 200 datasets a true 95% coverage gives an observed one within about ±4.6%
 * (three standard errors); the band below allows that, plus the bootstrap's own noise at 200 resamples, and
 * refuses intervals so wide that they cover every time.
 */
class IntervalCoverageTest {

    private static final double LOW = 0.86;
    private static final double HIGH = 0.995;

    @Test
    void shouldCoverTheKnownTruthAboutNinetyFivePercentOfTheTime() {
        CoverageSimulation.Coverage c = CoverageSimulation.run(200, 400, 200, IntervalMethod.AUTO, 99, 2);
        for (String s : new String[]{"flip_rate", "accuracy_delta", "demographic_parity_delta", "equalized_odds_delta"}) {
            double covered = c.covered().get(s);
            assertTrue(covered >= LOW && covered <= HIGH, s + " covered " + covered + " of the time: " + c.line());
            assertTrue(c.meanWidth().get(s) > 0, s);
        }
    }

    @Test
    void shouldKnowTheTruthOfItsPopulation() {
        // shares .5/.3/.2, flip probabilities .01/.02/.04
        assertEquals(0.5 * 0.01 + 0.3 * 0.02 + 0.2 * 0.04, CoverageSimulation.truth().get("flip_rate"), 1e-15);
        // source TPR spread .80 − .70 exceeds the FPR spread .15 − .10
        assertEquals(0.10, CoverageSimulation.truth().get("equalized_odds_source"), 1e-12);
    }
}
