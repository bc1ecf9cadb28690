package dev.quantgate.evaluation.result;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One sensitive attribute (or the intersection {@code sex&race}) of one model, or of the variant − source
 * difference.
 *
 * @param attribute the section's name
 * @param groups every group, sorted by name
 * @param fairness fairness metrics over every group
 * @param fairnessSupported the same metrics over the groups with at least the minimum group size
 * @param privileged the AIF360/Clarify split, or null without a privileged group (or outside binary tasks)
 */
public record SectionFigures(String attribute, List<GroupFigures> groups, SortedMap<String, Figure> fairness,
                             SortedMap<String, Figure> fairnessSupported, PrivilegedFigures privileged) {

    public SectionFigures {
        groups = List.copyOf(groups);
        fairness = Collections.unmodifiableSortedMap(new TreeMap<>(fairness));
        fairnessSupported = Collections.unmodifiableSortedMap(new TreeMap<>(fairnessSupported));
    }

    public GroupFigures group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst().orElse(null);
    }
}
