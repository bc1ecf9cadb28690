package dev.quantgate.evaluation.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AIF360 {@code ClassificationMetric} and SageMaker Clarify post-training metrics for a two-sided split:
 * the privileged rows and everyone else (unprivileged).
 */
public record PrivilegedSplit(Rates privileged, Rates unprivileged) {

    public double statisticalParityDifference() {
        return unprivileged.selectionRate() - privileged.selectionRate();
    }

    public double disparateImpact() {
        return unprivileged.selectionRate() / privileged.selectionRate();
    }

    public double equalOpportunityDifference() {
        return unprivileged.truePositiveRate() - privileged.truePositiveRate();
    }

    public double averageOddsDifference() {
        return ((unprivileged.falsePositiveRate() - privileged.falsePositiveRate())
                + (unprivileged.truePositiveRate() - privileged.truePositiveRate())) / 2;
    }

    public double averageAbsOddsDifference() {
        return (Math.abs(unprivileged.falsePositiveRate() - privileged.falsePositiveRate())
                + Math.abs(unprivileged.truePositiveRate() - privileged.truePositiveRate())) / 2;
    }

    public double equalizedOddsDifference() {
        return Math.max(Math.abs(unprivileged.falsePositiveRate() - privileged.falsePositiveRate()),
                Math.abs(unprivileged.truePositiveRate() - privileged.truePositiveRate()));
    }

    public double errorRateDifference() {
        return unprivileged.errorRate() - privileged.errorRate();
    }

    public double accuracyDifference() {
        return unprivileged.accuracy() - privileged.accuracy();
    }

    public double falsePositiveRateDifference() {
        return unprivileged.falsePositiveRate() - privileged.falsePositiveRate();
    }

    /** AIF360 names. */
    public Map<String, Double> aif360() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("statistical_parity_difference", statisticalParityDifference());
        m.put("disparate_impact", disparateImpact());
        m.put("equal_opportunity_difference", equalOpportunityDifference());
        m.put("average_odds_difference", averageOddsDifference());
        m.put("average_abs_odds_difference", averageAbsOddsDifference());
        m.put("equalized_odds_difference", equalizedOddsDifference());
        m.put("error_rate_difference", errorRateDifference());
        m.put("accuracy_difference", accuracyDifference());
        m.put("false_positive_rate_difference", falsePositiveRateDifference());
        return m;
    }

    /** SageMaker Clarify names: facet d = unprivileged, a = privileged. */
    public Map<String, Double> clarify() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("DPPL", privileged.selectionRate() - unprivileged.selectionRate());
        m.put("DI", unprivileged.selectionRate() / privileged.selectionRate());
        m.put("AD", privileged.accuracy() - unprivileged.accuracy());
        m.put("RD", privileged.truePositiveRate() - unprivileged.truePositiveRate());
        return m;
    }
}
