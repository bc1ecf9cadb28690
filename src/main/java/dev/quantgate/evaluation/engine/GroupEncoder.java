package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.dataset.TabularSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns each row's sensitive cells into group ids, one dictionary per attribute; names sorted at the end. */
final class GroupEncoder {

    private final List<SensitiveAttribute> attributes;
    private final int[] columnIndex;
    private final List<Map<String, Integer>> dictionaries = new ArrayList<>();
    private final List<List<String>> names = new ArrayList<>();
    private final List<Growable.Ints> ids = new ArrayList<>();

    GroupEncoder(List<SensitiveAttribute> attributes, TabularSource src) {
        this.attributes = attributes;
        this.columnIndex = new int[attributes.size()];
        for (int a = 0; a < attributes.size(); a++) {
            columnIndex[a] = Columns.require(src, attributes.get(a).column(), "sensitive");
            dictionaries.add(new HashMap<>());
            names.add(new ArrayList<>());
            ids.add(new Growable.Ints());
        }
    }

    void add(String[] row, TabularSource src) {
        for (int a = 0; a < columnIndex.length; a++) {
            String group = attributes.get(a).group(row[columnIndex[a]], src.rowNumber(), src.description());
            Integer id = dictionaries.get(a).get(group);
            if (id == null) {
                id = names.get(a).size();
                dictionaries.get(a).put(group, id);
                names.get(a).add(group);
            }
            ids.get(a).add(id);
        }
    }

    List<String> attributeNames() {
        return attributes.stream().map(SensitiveAttribute::column).toList();
    }

    /** Group names per attribute, sorted. */
    List<List<String>> sortedNames() {
        List<List<String>> out = new ArrayList<>();
        for (List<String> n : names) {
            List<String> sorted = new ArrayList<>(n);
            sorted.sort(null);
            out.add(List.copyOf(sorted));
        }
        return out;
    }

    /** Group ids per attribute and row, indexing {@link #sortedNames()}. */
    int[][] sortedIds() {
        int[][] out = new int[ids.size()][];
        List<List<String>> sorted = sortedNames();
        for (int a = 0; a < ids.size(); a++) {
            int[] remap = new int[names.get(a).size()];
            for (int k = 0; k < remap.length; k++) {
                remap[k] = sorted.get(a).indexOf(names.get(a).get(k));
            }
            int[] raw = ids.get(a).toArray();
            for (int r = 0; r < raw.length; r++) {
                raw[r] = remap[raw[r]];
            }
            out[a] = raw;
        }
        return out;
    }

    /** Checks that privileged values name groups that occur in the data. */
    void checkPrivileged(Map<String, String> privileged) {
        List<String> attrs = attributeNames();
        for (Map.Entry<String, String> e : privileged.entrySet()) {
            int a = attrs.indexOf(e.getKey());
            if (a < 0) {
                throw new BadInputException("privileged group names attribute '" + e.getKey()
                        + "', which is not a sensitive attribute " + attrs);
            }
            if (!dictionaries.get(a).containsKey(e.getValue())) {
                throw new BadInputException("privileged group " + e.getKey() + "=" + e.getValue()
                        + " does not occur in the data; its groups are " + sortedNames().get(a));
            }
        }
    }
}
