package dev.quantgate.policy.rules;

import dev.quantgate.policy.model.Rule;
import dev.quantgate.policy.rules.ReportFigures.Figure;
import dev.quantgate.policy.rules.ReportFigures.Place;
import dev.quantgate.policy.rules.ReportFigures.Subject;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code value: {min, max}}: the candidate's own figure (the variant's; for {@code flip_rate} and the impact
 * metric, the change figure itself) within the bounds.
 */
final class ValueRule extends MetricRule {

    @Override
    public String id() {
        return "value";
    }

    @Override
    public boolean appliesTo(Rule rule) {
        return rule.value() != null;
    }

    @Override
    List<Bound> bounds(Rule rule) {
        List<Bound> out = new ArrayList<>();
        if (rule.value().min() != null) {
            out.add(Bound.min(rule.value().min()));
        }
        if (rule.value().max() != null) {
            out.add(Bound.max(rule.value().max()));
        }
        return out;
    }

    @Override
    String refuse(Place place, String metric) {
        return null;
    }

    @Override
    RuleResult judge(Rule rule, RuleContext ctx, Place place, Bound bound, Subject s) {
        Figure f = ctx.figures().figure(place, "variant", rule.metric(), s);
        return bound.judge(rule, s.label(), ctx.figures().count(s), f.value(), f.interval(),
                f.value() == null ? null : "is " + Numbers.format(f.value()));
    }
}
