package dev.quantgate.policy.rules;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One check of one rule on one subject (overall, a group, or a sensitive attribute's section).
 *
 * @param kind       {@code require}, {@code cel}, {@code value} or {@code change}
 * @param check      what was checked: {@code min}, {@code max}, {@code max_decrease}, {@code max_increase},
 *                   {@code max_ratio}, a {@code require} name, or {@code expression}
 * @param metric     the metric, or null for require and cel rules
 * @param group      null for the overall figure; {@code sex=Female} or {@code sex&race=Female&Black} for a group;
 *                   the attribute ({@code sex}) for a fairness metric of that attribute
 * @param count      the group's rows, or null outside groups
 * @param observed   the figure judged: the candidate's value, the change (decrease, increase) or the ratio
 * @param interval   its 95% interval {@code [low, high]}, or null
 * @param threshold  the bound from the policy, or null for require and cel rules
 * @param smallGroup the group has fewer rows than {@code min_group_size}: its status is insufficient data and
 *                   {@code small_groups} decides what that means
 * @param error      for {@link RuleStatus#ERROR}, a code ({@code cel_parse_error}, ...); otherwise null
 * @param waiver     the waiver that covers it, or null
 * @param effect     what it does to the outcome: {@code deny}, {@code needs_approval} or {@code none}
 */
public record RuleResult(String ruleId, String kind, String check, RuleStatus status, String metric, String group,
                         Long count, Double observed, double[] interval, Double threshold, boolean smallGroup,
                         String error, String message, String waiver, String effect) {

    public RuleResult {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        interval = interval == null ? null : interval.clone();
    }

    /** A result without figures: require and cel rules, and rules that could not be judged. */
    static RuleResult plain(String ruleId, String kind, String check, RuleStatus status, String message) {
        return new RuleResult(ruleId, kind, check, status, null, null, null, null, null, null, false, null, message, null, null);
    }

    static RuleResult error(String ruleId, String kind, String check, String error, String message) {
        return new RuleResult(ruleId, kind, check, RuleStatus.ERROR, null, null, null, null, null, null, false, error,
                message, null, null);
    }

    RuleResult asSmallGroup(String newMessage) {
        return copy(RuleStatus.INSUFFICIENT_DATA, true, newMessage, waiver, effect);
    }

    RuleResult waivedBy(String waiverId, String newMessage) {
        return copy(RuleStatus.WAIVED, smallGroup, newMessage, waiverId, effect);
    }

    RuleResult withEffect(String e) {
        return copy(status, smallGroup, message, waiver, e);
    }

    private RuleResult copy(RuleStatus s, boolean small, String m, String w, String e) {
        return new RuleResult(ruleId, kind, check, s, metric, group, count, observed, interval, threshold, small, error, m, w, e);
    }

    /** Every member, null ones included, so that each result has the same keys. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new TreeMap<>();
        m.put("rule", ruleId);
        m.put("kind", kind);
        m.put("check", check);
        m.put("status", status.id());
        m.put("metric", metric);
        m.put("group", group);
        m.put("count", count);
        m.put("observed", observed);
        m.put("interval", interval == null ? null : List.of(interval[0], interval[1]));
        m.put("threshold", threshold);
        m.put("small_group", smallGroup);
        m.put("error", error);
        m.put("message", message);
        m.put("waiver", waiver);
        m.put("effect", effect);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuleResult r && toMap().equals(r.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "RuleResult" + toMap() + (interval == null ? "" : Arrays.toString(interval));
    }
}
