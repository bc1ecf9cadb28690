package dev.quantgate.evaluation.engine;

/**
 * Where a figure belongs in a result: which part (a model, their difference, flips, impact, fidelity), what kind
 * (a group's own figure, a fairness metric over all groups or over the groups with enough rows, a privileged-split
 * metric), which section (sensitive attribute or intersection; -1 for overall) and group (global index; -1 for a
 * section-level figure), and the metric's name.
 */
public record FigureKey(Part part, Kind kind, int section, int group, String metric) {

    /** The part of a result a figure is in. */
    public enum Part { SOURCE, VARIANT, DELTA, FLIPS, IMPACT, FIDELITY }

    /** What a figure describes. */
    public enum Kind {
        /** A group's own figure (group 0 is overall). */
        GROUP,
        /** A fairness metric over every group of the section. */
        FAIRNESS,
        /** A fairness metric over the section's groups with at least the minimum group size. */
        FAIRNESS_SUPPORTED,
        /** AIF360's metric of the privileged rows against the rest. */
        AIF360,
        /** SageMaker Clarify's metric of the privileged rows against the rest. */
        CLARIFY
    }

    FigureKey in(Part p) {
        return new FigureKey(p, kind, section, group, metric);
    }
}
