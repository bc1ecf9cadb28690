package dev.quantgate.policy.rules;

import dev.quantgate.policy.model.Rule;

/**
 * One threshold of a value or change rule, and how a figure is judged against it: an upper bound fails when
 * the judged number is above it, a lower bound when below. With {@code bound: ci} the judged number is the
 * worst end of the 95% interval (the high end for an upper bound, the low end for a lower one); without an
 * interval a ci rule is insufficient data, never a pass on the point estimate.
 *
 * @param over   the words when it fails ({@code "more than the %s allowed"}), {@code %s} the threshold
 * @param within the words when it passes
 */
record Bound(String kind, String check, double threshold, boolean upper, String over, String within) {

    static Bound max(double t) {
        return new Bound("value", "max", t, true, "above the %s maximum", "at most the %s maximum");
    }

    static Bound min(double t) {
        return new Bound("value", "min", t, false, "below the %s minimum", "at least the %s minimum");
    }

    static Bound change(String check, double t) {
        return new Bound("change", check, t, true, "more than the %s allowed", "within the %s allowed");
    }

    /**
     * Judges one figure of one subject.
     *
     * @param how what the figure says, e.g. {@code "fell by 0.061"}; null when the figure is missing
     */
    RuleResult judge(Rule rule, String group, Long count, Double observed, double[] interval, String how) {
        String subject = rule.metric() + (group == null ? "" : " for " + group);
        String t = Numbers.format(threshold);
        if (observed == null) {
            return result(rule, group, count, RuleStatus.INSUFFICIENT_DATA, null, interval,
                    subject + " is missing or undefined in the evidence, so the " + check + " of " + t + " cannot be judged");
        }
        String figure = subject + " " + how + Numbers.interval(interval);
        double judged = observed;
        if (rule.bound() == Rule.Bound.CI) {
            if (interval == null) {
                return result(rule, group, count, RuleStatus.INSUFFICIENT_DATA, observed, null,
                        figure + ", but the evidence has no 95% interval for it and the rule judges the interval (bound: ci)");
            }
            judged = upper ? interval[1] : interval[0];
        }
        boolean fails = upper ? judged > threshold : judged < threshold;
        String words = String.format(java.util.Locale.ROOT, fails ? over : within, t);
        String message = rule.bound() == Rule.Bound.CI
                ? figure + "; its worst end, " + Numbers.format(judged) + ", is " + words
                : figure + ", " + words;
        return result(rule, group, count, fails ? RuleStatus.FAIL : RuleStatus.PASS, observed, interval, message);
    }

    RuleResult result(Rule rule, String group, Long count, RuleStatus status, Double observed, double[] interval, String message) {
        return new RuleResult(rule.id(), kind, check, status, rule.metric(), group, count, observed, interval, threshold,
                false, null, message, null, null);
    }
}
