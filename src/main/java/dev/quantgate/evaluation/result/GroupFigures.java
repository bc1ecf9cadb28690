package dev.quantgate.evaluation.result;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One group's figures (or overall's), always computed, however few its rows.
 *
 * @param name the group's name ({@code Female}, {@code Female&Black}; {@code overall})
 * @param count its rows (unweighted)
 * @param support {@code LOW} when {@code count} is below the minimum group size
 * @param figures metric name → figure
 */
public record GroupFigures(String name, long count, Support support, SortedMap<String, Figure> figures) {

    public GroupFigures {
        figures = Collections.unmodifiableSortedMap(new TreeMap<>(figures));
    }

    public Figure figure(String metric) {
        return figures.get(metric);
    }
}
