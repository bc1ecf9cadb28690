package dev.quantgate.evaluation.result;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** AIF360's and SageMaker Clarify's metrics of the privileged rows against all other rows of a section. */
public record PrivilegedFigures(String privilegedGroup, SortedMap<String, Figure> aif360, SortedMap<String, Figure> clarify) {

    public PrivilegedFigures {
        aif360 = Collections.unmodifiableSortedMap(new TreeMap<>(aif360));
        clarify = Collections.unmodifiableSortedMap(new TreeMap<>(clarify));
    }
}
