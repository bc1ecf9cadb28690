package dev.quantgate.evaluation.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The groups an evaluation reports: overall (global group 0), then each section — each sensitive attribute and,
 * when asked, the intersection of all of them — with its groups. Rows are mapped once to their finest group
 * (the combination of all attribute values) and each section's groups are unions of finest groups.
 */
final class Layout {

    /** A sensitive attribute or an intersection, with its group names and the global index of its first group. */
    record Section(String name, List<String> groups, int[] groupOfFinest, int offset, int[] attributes,
                   boolean[] privileged, boolean hasPrivileged) {
    }

    final int rows;
    final int[] finest;
    final int finestCount;
    final List<Section> sections = new ArrayList<>();
    /** Global group count: 1 (overall) + all sections' groups. */
    final int groupCount;
    /** Per row and section (1 + sections), the global group index; column 0 is overall (0). */
    final int[] rowGroups;
    final int stride;
    /** Unweighted rows per global group on the full data. */
    final double[] fullCounts;
    final boolean[] sufficient;
    /** Per global group, its section's index (-1 for overall). */
    final int[] sectionOf;

    Layout(EvaluationData d, EvaluationOptions o) {
        this.rows = d.rows();
        int attrs = d.attributes().size();
        this.finest = new int[rows];
        Map<List<Integer>, Integer> finestIds = new HashMap<>();
        List<int[]> finestTuples = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            List<Integer> tuple = new ArrayList<>(attrs);
            for (int a = 0; a < attrs; a++) {
                tuple.add(d.groups()[a][r]);
            }
            Integer id = finestIds.get(tuple);
            if (id == null) {
                id = finestTuples.size();
                finestIds.put(tuple, id);
                finestTuples.add(tuple.stream().mapToInt(Integer::intValue).toArray());
            }
            finest[r] = id;
        }
        this.finestCount = Math.max(1, finestTuples.size());
        int offset = 1;
        for (int a = 0; a < attrs; a++) {
            int[] map = new int[finestCount];
            for (int f = 0; f < finestTuples.size(); f++) {
                map[f] = finestTuples.get(f)[a];
            }
            List<String> names = d.groupNames().get(a);
            String attribute = d.attributes().get(a);
            boolean has = o.privileged().containsKey(attribute);
            boolean[] priv = new boolean[names.size()];
            for (int g = 0; g < names.size(); g++) {
                priv[g] = has && names.get(g).equals(o.privileged().get(attribute));
            }
            sections.add(new Section(attribute, names, map, offset, new int[]{a}, priv, has));
            offset += names.size();
        }
        if (o.intersections() && attrs >= 2) {
            // observed cells only, named "Female&Black", sorted by name
            List<String> names = new ArrayList<>();
            for (int[] t : finestTuples) {
                names.add(cellName(d, t));
            }
            List<String> sorted = new ArrayList<>(names);
            sorted.sort(null);
            int[] map = new int[finestCount];
            boolean has = true;
            for (String attribute : d.attributes()) {
                has &= o.privileged().containsKey(attribute);
            }
            boolean[] priv = new boolean[sorted.size()];
            int[] all = new int[attrs];
            for (int f = 0; f < finestTuples.size(); f++) {
                int g = sorted.indexOf(names.get(f));
                map[f] = g;
                boolean p = has;
                for (int a = 0; a < attrs && p; a++) {
                    p = d.groupNames().get(a).get(finestTuples.get(f)[a]).equals(o.privileged().get(d.attributes().get(a)));
                }
                priv[g] = p;
            }
            for (int a = 0; a < attrs; a++) {
                all[a] = a;
            }
            sections.add(new Section(String.join("&", d.attributes()), List.copyOf(sorted), map, offset, all, priv, has));
            offset += sorted.size();
        }
        this.groupCount = offset;
        this.stride = 1 + sections.size();
        this.rowGroups = new int[rows * stride];
        this.fullCounts = new double[groupCount];
        for (int r = 0; r < rows; r++) {
            rowGroups[r * stride] = 0;
            fullCounts[0]++;
            for (int s = 0; s < sections.size(); s++) {
                Section sec = sections.get(s);
                int g = sec.offset() + sec.groupOfFinest()[finest[r]];
                rowGroups[r * stride + 1 + s] = g;
                fullCounts[g]++;
            }
        }
        this.sufficient = new boolean[groupCount];
        for (int g = 0; g < groupCount; g++) {
            sufficient[g] = g == 0 || fullCounts[g] >= o.minGroupSize();
        }
        this.sectionOf = new int[groupCount];
        sectionOf[0] = -1;
        for (int s = 0; s < sections.size(); s++) {
            Section sec = sections.get(s);
            for (int g = 0; g < sec.groups().size(); g++) {
                sectionOf[sec.offset() + g] = s;
            }
        }
    }

    private static String cellName(EvaluationData d, int[] tuple) {
        StringBuilder b = new StringBuilder();
        for (int a = 0; a < tuple.length; a++) {
            if (a > 0) {
                b.append('&');
            }
            b.append(d.groupNames().get(a).get(tuple[a]));
        }
        return b.toString();
    }

    /** The name of a global group (overall: "overall"). */
    String groupName(int global) {
        return global == 0 ? "overall" : sections.get(sectionOf[global]).groups().get(global - sections.get(sectionOf[global]).offset());
    }
}
