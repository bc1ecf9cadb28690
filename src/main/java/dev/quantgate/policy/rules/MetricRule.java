package dev.quantgate.policy.rules;

import dev.quantgate.policy.model.Rule;
import dev.quantgate.policy.rules.ReportFigures.Place;
import dev.quantgate.policy.rules.ReportFigures.Selection;
import dev.quantgate.policy.rules.ReportFigures.Subject;

import java.util.ArrayList;
import java.util.List;

/**
 * What value and change rules share: finding the metric in the report, the subjects {@code per_group} names
 * (overall without it), one result per bound and subject, and groups below {@code min_group_size} turned into
 * small-group results (insufficient data, never a silent pass). A fairness metric of an attribute is judged
 * over the groups large enough; each smaller group of that attribute gets a small-group result of its own.
 */
abstract class MetricRule implements RuleKind {

    /** The thresholds this kind reads from the rule, in a fixed order. */
    abstract List<Bound> bounds(Rule rule);

    /** Why this kind cannot judge a metric that lives there, or null when it can. */
    abstract String refuse(Place place, String metric);

    /** One bound on one subject. */
    abstract RuleResult judge(Rule rule, RuleContext ctx, Place place, Bound bound, Subject subject);

    @Override
    public List<RuleResult> evaluate(Rule rule, RuleContext ctx) {
        if (ctx.figures() == null) {
            return List.of(RuleResult.plain(rule.id(), id(), null, RuleStatus.INSUFFICIENT_DATA,
                    "the policy has no evaluation section, so no figure of " + rule.metric() + " is bound to it"));
        }
        Place place = ctx.figures().place(rule.metric());
        if (place == Place.UNKNOWN) {
            return List.of(RuleResult.plain(rule.id(), id(), null, RuleStatus.INSUFFICIENT_DATA,
                    rule.metric() + " is not in the evidence's evaluation report"));
        }
        String refusal = refuse(place, rule.metric());
        if (refusal != null) {
            return List.of(RuleResult.error(rule.id(), id(), null, "metric_not_judgeable", refusal));
        }
        Rule.GroupScope scope = rule.perGroup();
        Selection sel = ctx.figures().select(place, scope != null, scope != null && scope.all(),
                scope == null ? List.of() : scope.groups());
        List<RuleResult> out = new ArrayList<>();
        for (Bound bound : bounds(rule)) {
            for (String name : sel.unmatched()) {
                out.add(bound.result(rule, name, null, RuleStatus.INSUFFICIENT_DATA, null, null,
                        "per_group names '" + name + "', which is no group or attribute of the evaluation"));
            }
            if (sel.subjects().isEmpty() && sel.unmatched().isEmpty()) {
                out.add(bound.result(rule, null, null, RuleStatus.INSUFFICIENT_DATA, null, null,
                        "the evaluation has no groups for " + rule.metric()));
            }
            for (Subject s : sel.subjects()) {
                out.addAll(judgeSubject(rule, ctx, place, bound, s));
            }
        }
        return out;
    }

    private List<RuleResult> judgeSubject(Rule rule, RuleContext ctx, Place place, Bound bound, Subject s) {
        int min = ctx.minGroupSize();
        RuleResult r = judge(rule, ctx, place, bound, s);
        if (place != Place.FAIRNESS) {
            return List.of(ctx.figures().small(s, min) ? small(r, r.group() + " has " + rows(r.count()), min) : r);
        }
        List<Subject> smallGroups = ctx.figures().smallGroups(s.attribute(), min);
        List<RuleResult> out = new ArrayList<>();
        int supported = ctx.figures().groups(s.attribute()).size() - smallGroups.size();
        out.add(supported < 2 ? r.asSmallGroup(rule.metric() + " for " + s.attribute() + " compares fewer than two groups of at "
                + "least min_group_size " + min + " rows, so it is not judged: " + r.message()) : r);
        for (Subject g : smallGroups) {
            Long count = ctx.figures().count(g);
            out.add(bound.result(rule, g.label(), count, RuleStatus.INSUFFICIENT_DATA, null, null, "")
                    .asSmallGroup(rule.metric() + " for " + s.attribute() + " leaves out " + g.label() + ", which has "
                            + rows(count) + ", below min_group_size " + min));
        }
        return out;
    }

    private static RuleResult small(RuleResult r, String why, int min) {
        return r.asSmallGroup(why + ", below min_group_size " + min + ", so this is not judged: " + r.message());
    }

    private static String rows(Long count) {
        return count == null ? "an unknown number of rows" : count + " rows";
    }
}
