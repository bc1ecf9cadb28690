package dev.quantgate.policy.rules;

import dev.quantgate.policy.model.Rule;
import dev.quantgate.policy.rules.ReportFigures.Figure;
import dev.quantgate.policy.rules.ReportFigures.Place;
import dev.quantgate.policy.rules.ReportFigures.Subject;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code change: {max_decrease, max_increase, max_ratio}} against the source version, from the report's
 * {@code delta} (variant − source) and its paired-bootstrap interval:
 * <ul>
 *   <li>max_decrease: the decrease, source − variant, is {@code −delta} with interval {@code [−high, −low]};</li>
 *   <li>max_increase: the increase is {@code delta} with its interval;</li>
 *   <li>max_ratio: variant ÷ source. The report has no interval of the ratio: it is taken as
 *       {@code [(source + low) ÷ source, (source + high) ÷ source]}, the delta's interval over the source's point
 *       (the source's own noise left out); a source of 0 or less makes the ratio insufficient data.</li>
 * </ul>
 * Without a {@code delta} figure the point change is variant − source of the two points (no interval, so a
 * ci rule is then insufficient data). {@code flip_rate} and the impact metric are changes already: a change
 * rule on them is an error in the policy.
 */
final class ChangeRule extends MetricRule {

    @Override
    public String id() {
        return "change";
    }

    @Override
    public boolean appliesTo(Rule rule) {
        return rule.change() != null;
    }

    @Override
    List<Bound> bounds(Rule rule) {
        Rule.ChangeBounds c = rule.change();
        List<Bound> out = new ArrayList<>();
        if (c.maxDecrease() != null) {
            out.add(Bound.change("max_decrease", c.maxDecrease()));
        }
        if (c.maxIncrease() != null) {
            out.add(Bound.change("max_increase", c.maxIncrease()));
        }
        if (c.maxRatio() != null) {
            out.add(Bound.change("max_ratio", c.maxRatio()));
        }
        return out;
    }

    @Override
    String refuse(Place place, String metric) {
        return place == Place.CHANGE
                ? metric + " already compares the variant with its source; judge it with value: {max: ...}, not change"
                : null;
    }

    @Override
    RuleResult judge(Rule rule, RuleContext ctx, Place place, Bound bound, Subject s) {
        ReportFigures figures = ctx.figures();
        Long count = figures.count(s);
        Figure delta = figures.figure(place, "delta", rule.metric(), s);
        Figure source = figures.figure(place, "source", rule.metric(), s);
        Double d = delta.value();
        if (d == null) {
            Figure variant = figures.figure(place, "variant", rule.metric(), s);
            d = variant.value() == null || source.value() == null ? null : variant.value() - source.value();
            delta = new Figure(d, null);
        }
        double[] ci = delta.interval();
        if (d == null) {
            return bound.judge(rule, s.label(), count, null, null, null);
        }
        switch (bound.check()) {
            case "max_decrease" -> {
                double[] fell = ci == null ? null : new double[]{-ci[1], -ci[0]};
                return bound.judge(rule, s.label(), count, -d, fell, -d >= 0 ? "fell by " + Numbers.format(-d)
                        : "rose by " + Numbers.format(d) + " (a decrease of " + Numbers.format(-d) + ")");
            }
            case "max_increase" -> {
                return bound.judge(rule, s.label(), count, d, ci, d >= 0 ? "rose by " + Numbers.format(d)
                        : "fell by " + Numbers.format(-d) + " (an increase of " + Numbers.format(d) + ")");
            }
            default -> {
                Double base = source.value();
                if (base == null || base <= 0) {
                    return bound.result(rule, s.label(), count, RuleStatus.INSUFFICIENT_DATA, null, null,
                            rule.metric() + (s.label() == null ? "" : " for " + s.label())
                                    + ": the source's figure is " + (base == null ? "missing" : Numbers.format(base))
                                    + ", so the ratio to it is undefined");
                }
                double ratio = (base + d) / base;
                double[] rci = ci == null ? null : new double[]{(base + ci[0]) / base, (base + ci[1]) / base};
                return bound.judge(rule, s.label(), count, ratio, rci,
                        "is " + Numbers.format(ratio) + " times the source's " + Numbers.format(base));
            }
        }
    }
}
