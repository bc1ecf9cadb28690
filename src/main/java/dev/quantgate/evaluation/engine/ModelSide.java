package dev.quantgate.evaluation.engine;

import ai.onnxruntime.OnnxJavaType;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.model.OnnxModelRunner;
import dev.quantgate.evaluation.model.OnnxModelRunner.Output;

import java.util.List;
import java.util.stream.Collectors;

/** One model during loading: its runner, the output the task reads, and that output turned into per-row values. */
final class ModelSide {

    /** Log-loss probabilities are clipped to [EPS, 1 − EPS], as scikit-learn's log_loss did by default. */
    static final double EPS = 1e-15;

    final OnnxModelRunner runner;
    final Output output;
    private final Task task;
    private final List<String> classes;
    private final double threshold;
    private final boolean floatOutput;
    final Growable.Ints predicted = new Growable.Ints();
    final Growable.Doubles score = new Growable.Doubles();
    final Growable.Doubles loss = new Growable.Doubles();
    final Growable.Doubles value = new Growable.Doubles();
    long nanos;

    ModelSide(OnnxModelRunner runner, EvaluationOptions o) {
        this.runner = runner;
        this.task = o.task();
        this.classes = o.classes();
        this.threshold = o.threshold();
        this.output = choose(runner, o);
        this.floatOutput = output.type() == OnnxJavaType.FLOAT || output.type() == OnnxJavaType.DOUBLE;
    }

    boolean hasProbabilities() {
        return floatOutput && task.classification();
    }

    private static Output choose(OnnxModelRunner runner, EvaluationOptions o) {
        List<Output> outputs = runner.outputs();
        String listing = outputs.stream().map(x -> x.name() + " (" + (x.tensor() ? x.type() + " tensor "
                + java.util.Arrays.toString(x.shape()) : "not a tensor") + ")").collect(Collectors.joining(", "));
        if (o.outputName() != null) {
            Output named = outputs.stream().filter(x -> x.name().equals(o.outputName())).findFirst()
                    .orElseThrow(() -> new BadInputException(runner.description() + " has no output '" + o.outputName()
                            + "'; its outputs: " + listing));
            if (!named.numeric()) {
                throw new BadInputException(runner.description() + " output '" + named.name()
                        + "' is not a numeric tensor; its outputs: " + listing);
            }
            return named;
        }
        for (Output x : outputs) {
            boolean real = x.numeric() && (x.type() == OnnxJavaType.FLOAT || x.type() == OnnxJavaType.DOUBLE);
            if (real) {
                return x;
            }
        }
        if (o.task().classification()) {
            for (Output x : outputs) {
                if (x.numeric()) {
                    return x;
                }
            }
        }
        throw new BadInputException(runner.description() + " has no output the " + o.task().key() + " task can read ("
                + (o.task().classification() ? "class probabilities or labels" : "a float tensor")
                + "); its outputs: " + listing + (outputs.stream().anyMatch(x -> !x.tensor())
                ? " — export classifiers without ZipMap (zipmap=False) so probabilities are a tensor" : ""));
    }

    /** Turns one batch of output values into per-row predictions; {@code firstRow} is 1-based for messages. */
    void accept(float[] out, int rows, int[] labels, long firstRow) {
        int width = out.length / rows;
        String where = runner.description() + " output '" + output.name() + "'";
        switch (task) {
            case BINARY -> binary(out, rows, width, labels, firstRow, where);
            case MULTICLASS -> multiclass(out, rows, width, labels, firstRow, where);
            case REGRESSION -> {
                if (width != 1) {
                    throw new BadInputException(where + " gives " + width + " values per row; regression needs 1");
                }
                for (int i = 0; i < rows; i++) {
                    value.add(out[i]);
                }
            }
            case FIDELITY -> {
                // compared pairwise by the loader
            }
        }
    }

    private void binary(float[] out, int rows, int width, int[] labels, long firstRow, String where) {
        if (!floatOutput) {
            labelsOnly(out, rows, width, firstRow, where);
            return;
        }
        if (width != 1 && width != 2) {
            throw new BadInputException(where + " gives " + width + " values per row; the binary task needs 1 "
                    + "(positive-class probability) or 2 (class probabilities)");
        }
        for (int i = 0; i < rows; i++) {
            double p = out[i * width + width - 1];
            probability(p, firstRow + i, where);
            score.add(p);
            predicted.add(p >= threshold ? 1 : 0);
            double pt = labels[i] == 1 ? p : 1 - p;
            loss.add(-Math.log(Math.min(Math.max(pt, EPS), 1 - EPS)));
        }
    }

    private void multiclass(float[] out, int rows, int width, int[] labels, long firstRow, String where) {
        if (!floatOutput) {
            labelsOnly(out, rows, width, firstRow, where);
            return;
        }
        if (width != classes.size()) {
            throw new BadInputException(where + " gives " + width + " values per row; the task has "
                    + classes.size() + " classes " + classes);
        }
        for (int i = 0; i < rows; i++) {
            int best = 0;
            for (int k = 0; k < width; k++) {
                float p = out[i * width + k];
                probability(p, firstRow + i, where);
                if (p > out[i * width + best]) {
                    best = k;
                }
            }
            predicted.add(best);
            double pt = out[i * width + labels[i]];
            loss.add(-Math.log(Math.min(Math.max(pt, EPS), 1 - EPS)));
        }
    }

    private void labelsOnly(float[] out, int rows, int width, long firstRow, String where) {
        if (width != 1) {
            throw new BadInputException(where + " holds integers, " + width + " per row; a label output has 1");
        }
        for (int i = 0; i < rows; i++) {
            predicted.add(labelIndex(out[i], firstRow + i, where));
        }
    }

    private int labelIndex(double v, long row, String where) {
        for (int k = 0; k < classes.size(); k++) {
            try {
                if (Double.parseDouble(classes.get(k)) == v) {
                    return k;
                }
            } catch (NumberFormatException ignored) {
                // named classes: the label output is an index
            }
        }
        if (v == Math.rint(v) && v >= 0 && v < classes.size() && classes.stream().noneMatch(ModelSide::numeric)) {
            return (int) v;
        }
        throw new BadInputException(where + " predicts " + v + " for row " + row + ", which is not one of the classes "
                + classes);
    }

    private static boolean numeric(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void probability(double p, long row, String where) {
        if (!(p >= -1e-6 && p <= 1 + 1e-6)) {
            throw new BadInputException(where + " is " + p + " for row " + row + ", not a probability; the task needs "
                    + "probabilities (add a sigmoid or softmax) or labels, or pick another output with --output");
        }
    }
}
