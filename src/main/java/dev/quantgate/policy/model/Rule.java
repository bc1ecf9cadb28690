package dev.quantgate.policy.model;

import java.util.List;
import java.util.Objects;

/**
 * One promotion rule as written ({@code spec.rules[]}); the gate evaluates it. Null members are
 * absent in the file. {@code value} judges the candidate itself, {@code change} judges it against its
 * source version, {@code bound: ci} judges the worst end of the 95% interval (default {@code point}).
 *
 * @param perGroup null: the overall figure only; {@link GroupScope#all()}: every group and intersection
 */
public record Rule(String id, String metric, GroupScope perGroup, Bound bound, ValueBounds value, ChangeBounds change,
                   String require, String cel) {

    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(bound, "bound");
    }

    public enum Bound { POINT, CI }

    /** {@code per_group: all} or a list of group names. */
    public record GroupScope(boolean all, List<String> groups) {
        public GroupScope {
            groups = List.copyOf(groups);
        }

        public static GroupScope everyGroup() {
            return new GroupScope(true, List.of());
        }
    }

    /** {@code value: {min, max}}; a null side is unbounded. */
    public record ValueBounds(Double min, Double max) {
    }

    /** {@code change: {max_decrease, max_increase, max_ratio}} against the source version; null is unbounded. */
    public record ChangeBounds(Double maxDecrease, Double maxIncrease, Double maxRatio) {
    }
}
