package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.engine.FigureKey.Kind;
import dev.quantgate.evaluation.engine.FigureKey.Part;
import dev.quantgate.evaluation.result.Change;
import dev.quantgate.evaluation.result.Figure;
import dev.quantgate.evaluation.result.GroupChange;
import dev.quantgate.evaluation.result.GroupFigures;
import dev.quantgate.evaluation.result.Interval;
import dev.quantgate.evaluation.result.ModelFigures;
import dev.quantgate.evaluation.result.PrivilegedFigures;
import dev.quantgate.evaluation.result.SectionFigures;
import dev.quantgate.evaluation.result.Support;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Turns the engine's flat figure vector and its intervals into the typed result parts. */
final class ResultAssembler {

    private final Layout layout;
    private final Map<Part, Map<Integer, SortedMap<String, Figure>>> groups = new EnumMap<>(Part.class);
    private final Map<Part, Map<String, SortedMap<String, Figure>>> sectionLevel = new EnumMap<>(Part.class);
    private final Map<Part, String> changeMetric = new EnumMap<>(Part.class);

    ResultAssembler(Layout layout, Figures point, Bootstrap.Intervals ci) {
        this.layout = layout;
        for (int i = 0; i < point.size(); i++) {
            FigureKey k = point.key(i);
            Figure f = new Figure(point.value(i), ci == null ? null : Interval.of(ci.low()[i], ci.high()[i]));
            if (k.kind() == Kind.GROUP) {
                groups.computeIfAbsent(k.part(), x -> new HashMap<>())
                        .computeIfAbsent(k.group(), x -> new TreeMap<>()).put(k.metric(), f);
                changeMetric.put(k.part(), k.metric());
            } else {
                sectionLevel.computeIfAbsent(k.part(), x -> new HashMap<>())
                        .computeIfAbsent(k.kind() + "/" + k.section(), x -> new TreeMap<>()).put(k.metric(), f);
            }
        }
    }

    private Support support(int g) {
        return layout.sufficient[g] ? Support.OK : Support.LOW;
    }

    private long count(int g) {
        return (long) layout.fullCounts[g];
    }

    /** The figures of one part (source, variant, delta or fidelity), or null when the result has none. */
    ModelFigures model(Part part) {
        Map<Integer, SortedMap<String, Figure>> byGroup = groups.get(part);
        if (byGroup == null) {
            return null;
        }
        Map<String, SortedMap<String, Figure>> levels = sectionLevel.getOrDefault(part, Map.of());
        GroupFigures overall = new GroupFigures("overall", count(0), Support.OK, byGroup.getOrDefault(0, new TreeMap<>()));
        List<SectionFigures> sections = new ArrayList<>();
        for (int s = 0; s < layout.sections.size(); s++) {
            Layout.Section sec = layout.sections.get(s);
            List<GroupFigures> gs = new ArrayList<>();
            for (int i = 0; i < sec.groups().size(); i++) {
                int g = sec.offset() + i;
                gs.add(new GroupFigures(sec.groups().get(i), count(g), support(g), byGroup.getOrDefault(g, new TreeMap<>())));
            }
            PrivilegedFigures priv = null;
            SortedMap<String, Figure> aif = levels.get(Kind.AIF360 + "/" + s);
            if (aif != null) {
                String name = null;
                for (int i = 0; i < sec.groups().size(); i++) {
                    if (sec.privileged()[i]) {
                        name = sec.groups().get(i);
                    }
                }
                priv = new PrivilegedFigures(name, aif, levels.getOrDefault(Kind.CLARIFY + "/" + s, new TreeMap<>()));
            }
            sections.add(new SectionFigures(sec.name(), gs, levels.getOrDefault(Kind.FAIRNESS + "/" + s, new TreeMap<>()),
                    levels.getOrDefault(Kind.FAIRNESS_SUPPORTED + "/" + s, new TreeMap<>()), priv));
        }
        return new ModelFigures(overall, sections);
    }

    /** Flips or impact over every group, with the group where the change is largest, or null when absent. */
    Change change(Part part) {
        Map<Integer, SortedMap<String, Figure>> byGroup = groups.get(part);
        if (byGroup == null) {
            return null;
        }
        String metric = changeMetric.get(part);
        List<GroupChange> all = new ArrayList<>();
        GroupChange worst = null;
        GroupChange worstSupported = null;
        for (int g = 1; g < layout.groupCount; g++) {
            Layout.Section sec = layout.sections.get(layout.sectionOf[g]);
            Figure f = byGroup.get(g).get(metric);
            GroupChange c = new GroupChange(sec.name(), layout.groupName(g), count(g), support(g), f);
            all.add(c);
            if (f.defined()) {
                if (worst == null || f.value() > worst.figure().value()) {
                    worst = c;
                }
                if (c.support() == Support.OK && (worstSupported == null || f.value() > worstSupported.figure().value())) {
                    worstSupported = c;
                }
            }
        }
        return new Change(metric, byGroup.get(0).get(metric), all, worst, worstSupported);
    }
}
