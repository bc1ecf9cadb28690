package dev.quantgate.evaluation.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootstrapLevelsTest {

    private static double[] grid(int n, double from, double step) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = from + i * step;
        }
        return v;
    }

    @Test
    void shouldKeepThePercentileLevelsWithoutBiasOrAcceleration() {
        double[] sorted = grid(1001, -1, 0.002); // symmetric around 0, the estimate
        double[] symmetricJackknife = {-1, 1, -2, 2};
        double[] q = Bootstrap.bcaLevels(sorted, sorted.length, 0, symmetricJackknife);
        assertEquals(0.025, q[0], 1e-3);
        assertEquals(0.975, q[1], 1e-3);
    }

    @Test
    void shouldShiftTheLevelsDownWhenResamplesLieAboveTheEstimate() {
        double[] sorted = grid(1000, 0, 0.001); // 70% of resamples above the estimate 0.3
        double[] q = Bootstrap.bcaLevels(sorted, sorted.length, 0.3, new double[]{0, 0});
        assertTrue(q[0] < 0.025 * 2 && q[1] < 0.975, "z0 < 0 moves both ends down: " + q[0] + ", " + q[1]);
        assertTrue(q[0] < 0.025, q[0] + "");
    }

    @Test
    void shouldFallBackToPercentilesWhenEveryResampleLiesOnOneSide() {
        double[] sorted = grid(100, 1, 0.01);
        assertArrayEquals(new double[]{0.025, 0.975}, Bootstrap.bcaLevels(sorted, sorted.length, 0.5, new double[]{1, 2}));
    }

    @Test
    void shouldComputeEfronsAcceleration() {
        // influences u = mean − x: for x = {0, 0, 0, 4}, mean 1, u = {1, 1, 1, −3}: Σu³ = −24, Σu² = 12
        assertEquals(-24 / (6 * Math.pow(12, 1.5)), Bootstrap.acceleration(new double[]{0, 0, 0, 4}), 1e-15);
        assertEquals(0, Bootstrap.acceleration(new double[]{2, 2, 2}));
    }
}
