package dev.quantgate.evaluation.cli;

import dev.quantgate.cli.Tool;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.TransientIoException;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.IntervalMethod;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.engine.Task;
import dev.quantgate.evaluation.metrics.DisparityMethod;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;
import dev.quantgate.evaluation.report.MarkdownReport;
import dev.quantgate.evaluation.result.EvaluationResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code quantgate evaluate}: evaluates a source model and its variant (or their predictions) on a dataset and
 * writes the evidence report. Exit codes: 0 the report was written; 2 bad input (permanent: the same input fails
 * again), nothing written; 4 a transient I/O failure (a read or write error, worth a retry), nothing written;
 * 1 an internal error (a bug).
 */
public final class EvaluateTool implements Tool {

    /** Exit code for an I/O failure that may pass on retry. */
    public static final int TRANSIENT_IO = 4;
    /** Exit code for an internal error. */
    public static final int INTERNAL_ERROR = 1;

    private static final Set<String> SWITCHES = Set.of("intersections", "help");
    private static final Set<String> VALUED = Set.of("source", "variant", "data", "predictions", "label", "sensitive",
            "threshold", "bootstrap", "seed", "out", "markdown", "task", "classes", "features", "signature", "weight",
            "buckets", "privileged", "min-group-size", "method", "calibration", "calibration-factor", "pred-source",
            "pred-variant", "score-source", "score-variant", "output", "batch-size", "deployment-batch-size", "interval", "threads");

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "accuracy and fairness of a variant against its source model, with bootstrap intervals";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, List<String>> flags;
        try {
            flags = parse(args);
        } catch (BadInputException e) {
            err.println("quantgate evaluate: " + e.getMessage());
            usage(err);
            return BAD_INPUT;
        }
        if (flags.containsKey("help")) {
            usage(out);
            return OK;
        }
        try {
            EvaluationOptions o = options(flags);
            Evaluator evaluator = new Evaluator();
            EvaluationResult result;
            if (flags.containsKey("predictions")) {
                for (String f : List.of("source", "variant", "data")) {
                    if (flags.containsKey(f)) {
                        throw new BadInputException("--predictions reads predictions made elsewhere; leave out --" + f);
                    }
                }
                result = evaluator.evaluatePredictions(path(flags, "predictions"), o);
            } else {
                result = evaluator.evaluateModels(path(flags, "source"), path(flags, "variant"), path(flags, "data"), o);
            }
            String json = JsonWriter.write(EvaluationReport.build(result));
            String outFile = one(flags, "out");
            String markdown = one(flags, "markdown");
            if (markdown != null) {
                writeAtomically(Path.of(markdown), MarkdownReport.render(result));
            }
            if (outFile != null) {
                writeAtomically(Path.of(outFile), json + "\n");
                out.println("wrote " + outFile + " (" + result.warnings().size() + " warnings)");
            } else {
                out.println(json);
            }
            return OK;
        } catch (BadInputException | IllegalArgumentException e) {
            err.println("quantgate evaluate: " + e.getMessage());
            return BAD_INPUT;
        } catch (TransientIoException e) {
            err.println("quantgate evaluate: " + e.getMessage() + " (an I/O failure: try again)");
            return TRANSIENT_IO;
        } catch (RuntimeException e) {
            err.println("quantgate evaluate: internal error (" + e.getClass().getSimpleName() + "): " + e.getMessage());
            return INTERNAL_ERROR;
        }
    }

    private static Map<String, List<String>> parse(String[] args) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new BadInputException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (SWITCHES.contains(name)) {
                if (value != null) {
                    throw new BadInputException("--" + name + " takes no value");
                }
                flags.put(name, List.of());
                continue;
            }
            if (!VALUED.contains(name)) {
                String hint = closest(name);
                throw new BadInputException("unknown option --" + name + (hint == null ? "" : " (did you mean --" + hint + "?)"));
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new BadInputException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            flags.computeIfAbsent(name, x -> new ArrayList<>()).add(value);
        }
        return flags;
    }

    private static String closest(String name) {
        return dev.quantgate.evaluation.dataset.Suggestions.closest(name, List.copyOf(VALUED));
    }

    private static EvaluationOptions options(Map<String, List<String>> flags) {
        EvaluationOptions o = new EvaluationOptions();
        if (flags.containsKey("task")) {
            o.task(Task.parse(one(flags, "task")));
        }
        o.labelColumn(one(flags, "label"));
        if (flags.containsKey("classes")) {
            o.classes(list(one(flags, "classes")));
        } else if (o.task() == Task.MULTICLASS) {
            throw new BadInputException("the multiclass task needs --classes a,b,c (in the order of the model's outputs)");
        }
        if (flags.containsKey("threshold")) {
            o.threshold(number(flags, "threshold"));
        }
        Map<String, double[]> buckets = new HashMap<>();
        for (String spec : flags.getOrDefault("buckets", List.of())) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--buckets takes column=edge,edge,... (e.g. age=25,45,65), not '" + spec + "'");
            }
            double[] edges;
            try {
                edges = list(spec.substring(eq + 1)).stream().mapToDouble(Double::parseDouble).toArray();
            } catch (NumberFormatException e) {
                throw new BadInputException("--buckets " + spec + ": edges must be numbers");
            }
            buckets.put(spec.substring(0, eq), edges);
        }
        String sensitive = one(flags, "sensitive");
        if (sensitive == null) {
            throw new BadInputException("--sensitive names the sensitive-attribute columns (e.g. sex,race)");
        }
        for (String column : list(sensitive)) {
            double[] edges = buckets.remove(column);
            o.sensitive(edges == null ? SensitiveAttribute.categorical(column) : SensitiveAttribute.bucketed(column, edges));
        }
        if (!buckets.isEmpty()) {
            throw new BadInputException("--buckets names " + buckets.keySet() + ", which --sensitive does not list");
        }
        o.intersections(flags.containsKey("intersections"));
        if (flags.containsKey("bootstrap")) {
            o.bootstrap(integer(flags, "bootstrap"));
        }
        if (flags.containsKey("seed")) {
            try {
                o.seed(Long.parseLong(one(flags, "seed")));
            } catch (NumberFormatException e) {
                throw new BadInputException("--seed must be an integer, not '" + one(flags, "seed") + "'");
            }
        }
        if (flags.containsKey("features")) {
            o.features(list(one(flags, "features")));
        }
        if (flags.containsKey("signature")) {
            o.signature(Path.of(one(flags, "signature")));
        }
        o.weightColumn(one(flags, "weight"));
        if (flags.containsKey("privileged")) {
            for (String pair : list(one(flags, "privileged"))) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new BadInputException("--privileged takes attribute=value pairs (e.g. sex=Male), not '" + pair + "'");
                }
                o.privileged(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        if (flags.containsKey("min-group-size")) {
            o.minGroupSize(integer(flags, "min-group-size"));
        }
        if (flags.containsKey("method")) {
            o.method(DisparityMethod.parse(one(flags, "method")));
        }
        if (flags.containsKey("calibration")) {
            o.calibration(Path.of(one(flags, "calibration")));
        }
        if (flags.containsKey("calibration-factor")) {
            o.calibrationFactor(number(flags, "calibration-factor"));
        }
        if (flags.containsKey("pred-source")) {
            o.predSourceColumn(one(flags, "pred-source"));
        }
        if (flags.containsKey("pred-variant")) {
            o.predVariantColumn(one(flags, "pred-variant"));
        }
        if (flags.containsKey("score-source")) {
            o.scoreSourceColumn(one(flags, "score-source"));
        }
        if (flags.containsKey("score-variant")) {
            o.scoreVariantColumn(one(flags, "score-variant"));
        }
        o.outputName(one(flags, "output"));
        if (flags.containsKey("batch-size")) {
            o.batchSize(integer(flags, "batch-size"));
        }
        if (flags.containsKey("deployment-batch-size")) {
            o.deploymentBatchSize(integer(flags, "deployment-batch-size"));
        }
        if (flags.containsKey("interval")) {
            o.intervalMethod(IntervalMethod.parse(one(flags, "interval")));
        }
        if (flags.containsKey("threads")) {
            o.threads(integer(flags, "threads"));
        }
        return o;
    }

    private static String one(Map<String, List<String>> flags, String name) {
        List<String> v = flags.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1 && !name.equals("buckets")) {
            throw new BadInputException("--" + name + " is given " + v.size() + " times");
        }
        return v.get(0);
    }

    private static Path path(Map<String, List<String>> flags, String name) {
        String v = one(flags, name);
        if (v == null) {
            throw new BadInputException("--" + name + " is required (or use --predictions with a predictions file)");
        }
        return Path.of(v);
    }

    private static List<String> list(String s) {
        List<String> items = Arrays.stream(s.split(",", -1)).map(String::strip).toList();
        if (items.stream().anyMatch(String::isEmpty)) {
            throw new BadInputException("empty item in list '" + s + "'");
        }
        return items;
    }

    private static double number(Map<String, List<String>> flags, String name) {
        try {
            return Double.parseDouble(one(flags, name));
        } catch (NumberFormatException e) {
            throw new BadInputException("--" + name + " must be a number, not '" + one(flags, name) + "'");
        }
    }

    private static int integer(Map<String, List<String>> flags, String name) {
        try {
            return Integer.parseInt(one(flags, name));
        } catch (NumberFormatException e) {
            throw new BadInputException("--" + name + " must be an integer, not '" + one(flags, name) + "'");
        }
    }

    /** Writes beside the target, then moves into place, so a reader never sees half a report. */
    static void writeAtomically(Path target, String content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                // a temp file is owner-only; a report is as readable as any file the user writes
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: keep the defaults
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the target was not touched
                }
            }
            throw new TransientIoException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void usage(PrintStream s) {
        s.println("""
                usage: quantgate evaluate --source A.onnx --variant B.onnx --data eval.csv --label COL --sensitive a,b [options]
                       quantgate evaluate --predictions preds.csv --label COL --sensitive a,b [options]
                  --intersections            also report the intersection of all sensitive attributes (sex&race)
                  --threshold 0.5            positive when the positive-class probability is at least this
                  --bootstrap 1000           paired bootstrap iterations (0: no intervals)
                  --interval auto            how intervals are read from the resamples: auto (BCa for flip rates,
                                             percentile for the rest), bca, percentile, basic
                  --seed 7                   bootstrap seed
                  --out report.json          write the JSON report here (default: standard output)
                  --markdown report.md       also write a Markdown rendering
                  --task binary              binary, multiclass, regression or fidelity
                  --classes neg,pos          class labels in the order of the model's outputs (default 0,1)
                  --features a,b,c           feature columns, in model-input order (default: from --signature, else
                                             every column but the label, sensitive and weight columns)
                  --signature MLmodel        MLflow MLmodel file whose signature maps columns to the model input
                  --weight COL               sample-weight column
                  --buckets age=25,45,65     bucket a numeric sensitive column by edges (repeatable)
                  --privileged sex=Male      AIF360 privileged group (pairs; a row is privileged iff all match)
                  --min-group-size 30        smaller groups are flagged support low (fairness_supported leaves them out)
                  --method between_groups    Fairlearn disparity method: between_groups or to_overall
                  --calibration calib.csv    check the quantization calibration set's group shares
                  --calibration-factor 2     flag groups under-represented by more than this factor
                  --pred-source/--pred-variant/--score-source/--score-variant COL   predictions-mode columns
                  --output NAME              model output to read (default: the first that fits the task)
                  --batch-size 1024          rows per model call (recorded; an online scorer sees 1)
                  --deployment-batch-size N  the batch size in deployment: a dynamically quantized model evaluated
                                             at another batch size gets a warning
                  --threads 2                ONNX Runtime intra-op and bootstrap threads
                exit codes: 0 report written, 2 bad input, 4 transient I/O failure (retry), 1 internal error""");
    }
}
