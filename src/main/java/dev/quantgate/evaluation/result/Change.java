package dev.quantgate.evaluation.result;

import java.util.List;

/**
 * A change between source and variant over every group: the prediction flip rate, or the accuracy drop (source −
 * variant; for regression the mean-absolute-error increase).
 *
 * @param metric {@code flip_rate}, {@code accuracy_drop} or {@code mean_absolute_error_increase}
 * @param overall over all rows
 * @param groups every group of every section, in section order
 * @param worst the group where it is largest, or null
 * @param worstSupported the same among groups with at least the minimum group size, or null
 */
public record Change(String metric, Figure overall, List<GroupChange> groups, GroupChange worst, GroupChange worstSupported) {

    public Change {
        groups = List.copyOf(groups);
    }

    public GroupChange group(String attribute, String group) {
        return groups.stream().filter(g -> g.attribute().equals(attribute) && g.group().equals(group)).findFirst().orElse(null);
    }
}
