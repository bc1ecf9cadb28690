package dev.quantgate.evaluation.engine;

import java.util.Locale;

/** What the models do, which decides the metrics. */
public enum Task {
    /** Two classes; the model outputs a positive-class probability, class probabilities or labels. */
    BINARY,
    /** K classes; the model outputs class probabilities or labels. */
    MULTICLASS,
    /** One number per row. */
    REGRESSION,
    /** No labels: how closely the variant's outputs follow the source's (embeddings or any output). */
    FIDELITY;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean classification() {
        return this == BINARY || this == MULTICLASS;
    }

    public static Task parse(String s) {
        for (Task t : values()) {
            if (t.key().equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("task must be binary, multiclass, regression or fidelity, not '" + s + "'");
    }
}
