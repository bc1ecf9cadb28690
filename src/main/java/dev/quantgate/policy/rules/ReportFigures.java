package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads figures out of a {@code quantgate.evaluation/v2} report (see {@code EvaluationReport}): values beside a
 * sibling {@code ci} object of {@code [low, high]} intervals. Where a metric lives decides what a rule judges:
 * <ul>
 *   <li>{@link Place#GROUP}: a figure of every group ({@code accuracy}), in {@code source}, {@code variant} and
 *       {@code delta} (variant − source), under {@code overall} and {@code by_attribute.A.groups.G};</li>
 *   <li>{@link Place#FAIRNESS}: a figure of a sensitive attribute ({@code equalized_odds_difference}), read from
 *       {@code by_attribute.A.fairness_supported} (groups with at least the minimum size; smaller ones go to
 *       the small-groups policy);</li>
 *   <li>{@link Place#CHANGE}: a figure that already compares variant with source: {@code flip_rate}
 *       ({@code flips}) or the impact metric ({@code impact.accuracy_drop}).</li>
 * </ul>
 * Groups come sorted by attribute, then name, so results are listed in a stable order.
 */
final class ReportFigures {

    enum Place { GROUP, FAIRNESS, CHANGE, UNKNOWN }

    /** A figure's point value (null when missing or undefined) and 95% interval (null when none). */
    record Figure(Double value, double[] interval) {
    }

    /**
     * What a figure is about: overall (both null), one attribute's section ({@code group} null) or one group.
     */
    record Subject(String attribute, String group) {
        static final Subject OVERALL = new Subject(null, null);

        String label() {
            if (attribute == null) {
                return null;
            }
            return group == null ? attribute : attribute + "=" + group;
        }

        boolean matches(String name) {
            return name.equals(label()) || name.equals(attribute) || name.equals(group);
        }
    }

    /** The subjects a rule covers, and the names it lists that match none. */
    record Selection(List<Subject> subjects, List<String> unmatched) {
    }

    private final JsonNode report;

    ReportFigures(JsonNode report) {
        this.report = report;
    }

    Place place(String metric) {
        if ("flip_rate".equals(metric) && report.path("flips").isObject()) {
            return Place.CHANGE;
        }
        if (report.path("impact").path(metric).isObject()) {
            return Place.CHANGE;
        }
        if (report.path("variant").path("overall").has(metric)) {
            return Place.GROUP;
        }
        for (JsonNode section : iterable(report.path("variant").path("by_attribute"))) {
            if (section.path("fairness_supported").has(metric)) {
                return Place.FAIRNESS;
            }
        }
        return Place.UNKNOWN;
    }

    /** Every attribute (sensitive attributes and intersections), sorted. */
    List<String> attributes() {
        return new ArrayList<>(new TreeSet<>(names(report.path("source").path("by_attribute"))));
    }

    /** Every group of one attribute, sorted. */
    List<String> groups(String attribute) {
        return new ArrayList<>(new TreeSet<>(names(groupsNode(attribute))));
    }

    /**
     * The subjects of a rule: no scope means overall (group and change metrics) or every attribute (fairness
     * metrics); {@code all} means every group (every attribute for fairness metrics); a list keeps the subjects a
     * name matches (the label {@code sex=Female}, the attribute {@code sex}, or the group {@code Female}).
     */
    Selection select(Place place, boolean scoped, boolean all, List<String> names) {
        List<Subject> every = new ArrayList<>();
        if (place == Place.FAIRNESS) {
            attributes().forEach(a -> every.add(new Subject(a, null)));
        } else if (scoped) {
            for (String a : attributes()) {
                groups(a).forEach(g -> every.add(new Subject(a, g)));
            }
        } else {
            return new Selection(List.of(Subject.OVERALL), List.of());
        }
        if (!scoped || all) {
            return new Selection(every, List.of());
        }
        List<Subject> chosen = every.stream().filter(s -> names.stream().anyMatch(s::matches)).toList();
        List<String> unmatched = names.stream().filter(n -> every.stream().noneMatch(s -> s.matches(n))).sorted().toList();
        return new Selection(chosen, unmatched);
    }

    /** A figure of {@code source}, {@code variant} or {@code delta} (group and fairness metrics) or a change metric. */
    Figure figure(Place place, String side, String metric, Subject s) {
        if (place == Place.CHANGE) {
            JsonNode node = "flip_rate".equals(metric) && report.has("flips") ? report.path("flips") : report.path("impact").path(metric);
            return s.attribute() == null ? read(node, "overall") : read(node.path("by_attribute").path(s.attribute()), s.group());
        }
        JsonNode part = report.path(side);
        if (place == Place.FAIRNESS) {
            return read(part.path("by_attribute").path(s.attribute()).path("fairness_supported"), metric);
        }
        JsonNode group = s.attribute() == null ? part.path("overall")
                : part.path("by_attribute").path(s.attribute()).path("groups").path(s.group());
        return read(group, metric);
    }

    /** The group's rows, or null for overall and sections. */
    Long count(Subject s) {
        if (s.group() == null) {
            return null;
        }
        JsonNode n = groupsNode(s.attribute()).path(s.group()).path("count");
        return n.isIntegralNumber() ? n.longValue() : null;
    }

    /** Whether a group has fewer rows than the minimum, or the report flags it {@code support: low}. */
    boolean small(Subject s, int minGroupSize) {
        if (s.group() == null) {
            return false;
        }
        Long count = count(s);
        return count == null || count < minGroupSize
                || "low".equals(groupsNode(s.attribute()).path(s.group()).path("support").asText());
    }

    /** One attribute's groups below the minimum, sorted. */
    List<Subject> smallGroups(String attribute, int minGroupSize) {
        return groups(attribute).stream().map(g -> new Subject(attribute, g)).filter(s -> small(s, minGroupSize)).toList();
    }

    private JsonNode groupsNode(String attribute) {
        return report.path("source").path("by_attribute").path(attribute).path("groups");
    }

    private static Figure read(JsonNode holder, String key) {
        Double value = EvidenceView.finite(holder.get(key));
        JsonNode ci = holder.path("ci").path(key);
        double[] interval = null;
        if (ci.isArray() && ci.size() == 2) {
            Double lo = EvidenceView.finite(ci.get(0));
            Double hi = EvidenceView.finite(ci.get(1));
            interval = lo == null || hi == null ? null : new double[]{lo, hi};
        }
        return new Figure(value, interval);
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!"ci".equals(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static Iterable<JsonNode> iterable(JsonNode object) {
        Map<String, JsonNode> sorted = new TreeMap<>();
        object.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted.values();
    }
}
