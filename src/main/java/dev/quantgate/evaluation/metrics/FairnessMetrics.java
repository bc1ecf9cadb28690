package dev.quantgate.evaluation.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Fairlearn's group-fairness metrics for binary classification, named as Fairlearn names them, computed from
 * per-group and overall confusion counts.
 */
public final class FairnessMetrics {

    /** How the two rates of equalized odds are combined (Fairlearn's {@code agg}). */
    public enum Aggregation { WORST_CASE, MEAN }

    private final List<Rates> groups;
    private final Rates overall;
    private final DisparityMethod method;

    public FairnessMetrics(List<Rates> groups, Rates overall, DisparityMethod method) {
        this.groups = groups;
        this.overall = overall;
        this.method = method;
    }

    public double difference(ToDoubleFunction<Rates> metric) {
        return Disparity.difference(values(metric), metric.applyAsDouble(overall), method);
    }

    public double ratio(ToDoubleFunction<Rates> metric) {
        return Disparity.ratio(values(metric), metric.applyAsDouble(overall), method);
    }

    private double[] values(ToDoubleFunction<Rates> metric) {
        double[] v = new double[groups.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = metric.applyAsDouble(groups.get(i));
        }
        return v;
    }

    public double demographicParityDifference() {
        return difference(Rates::selectionRate);
    }

    public double demographicParityRatio() {
        return ratio(Rates::selectionRate);
    }

    public double equalOpportunityDifference() {
        return difference(Rates::truePositiveRate);
    }

    public double equalOpportunityRatio() {
        return ratio(Rates::truePositiveRate);
    }

    public double equalizedOddsDifference(Aggregation agg) {
        double tpr = difference(Rates::truePositiveRate);
        double fpr = difference(Rates::falsePositiveRate);
        return agg == Aggregation.WORST_CASE ? Math.max(tpr, fpr) : (tpr + fpr) / 2;
    }

    public double equalizedOddsRatio(Aggregation agg) {
        double tpr = ratio(Rates::truePositiveRate);
        double fpr = ratio(Rates::falsePositiveRate);
        return agg == Aggregation.WORST_CASE ? Math.min(tpr, fpr) : (tpr + fpr) / 2;
    }

    /** The metrics a report carries for one sensitive attribute (Fairlearn names; worst-case aggregation). */
    public Map<String, Double> all() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("demographic_parity_difference", demographicParityDifference());
        m.put("demographic_parity_ratio", demographicParityRatio());
        m.put("equalized_odds_difference", equalizedOddsDifference(Aggregation.WORST_CASE));
        m.put("equalized_odds_ratio", equalizedOddsRatio(Aggregation.WORST_CASE));
        m.put("equal_opportunity_difference", equalOpportunityDifference());
        m.put("equal_opportunity_ratio", equalOpportunityRatio());
        m.put("true_positive_rate_difference", difference(Rates::truePositiveRate));
        m.put("true_positive_rate_ratio", ratio(Rates::truePositiveRate));
        m.put("false_positive_rate_difference", difference(Rates::falsePositiveRate));
        m.put("false_positive_rate_ratio", ratio(Rates::falsePositiveRate));
        m.put("accuracy_difference", difference(Rates::accuracy));
        m.put("accuracy_ratio", ratio(Rates::accuracy));
        return m;
    }
}
