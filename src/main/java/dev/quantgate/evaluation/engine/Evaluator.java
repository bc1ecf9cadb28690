package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.BadInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Runs an evaluation: load once (models or predictions), compute the figures, bootstrap their intervals. */
public final class Evaluator {

    /** Runs the source and the variant through ONNX Runtime on the dataset. */
    public EvaluationResult evaluateModels(Path source, Path variant, Path dataset, EvaluationOptions o) {
        long t0 = System.nanoTime();
        DataLoader loader = new DataLoader();
        EvaluationData d = loader.fromModels(source, variant, dataset, o);
        long load = System.nanoTime() - t0;
        return evaluate(d, o, load, loader.modelNanos());
    }

    /** Reads predictions the two models made elsewhere. */
    public EvaluationResult evaluatePredictions(Path predictions, EvaluationOptions o) {
        long t0 = System.nanoTime();
        EvaluationData d = new DataLoader().fromPredictions(predictions, o);
        return evaluate(d, o, System.nanoTime() - t0, 0);
    }

    public EvaluationResult evaluate(EvaluationData d, EvaluationOptions o) {
        return evaluate(d, o, 0, 0);
    }

    private EvaluationResult evaluate(EvaluationData d, EvaluationOptions o, long loadNanos, long modelNanos) {
        if (o.bootstrap() < 0) {
            throw new BadInputException("bootstrap iterations must be 0 or more, not " + o.bootstrap());
        }
        if (o.minGroupSize() < 1) {
            throw new BadInputException("the minimum group size must be at least 1, not " + o.minGroupSize());
        }
        List<String> warnings = new ArrayList<>(d.warnings());
        long t0 = System.nanoTime();
        Layout layout = new Layout(d, o);
        MetricsEngine engine = new MetricsEngine(d, layout, o);
        Figures point = engine.compute(null, engine.workspace());
        long metrics = System.nanoTime() - t0;

        Map<String, Map<String, Long>> insufficient = new TreeMap<>();
        Map<String, String> privileged = new TreeMap<>();
        for (Layout.Section s : layout.sections) {
            int sufficient = 0;
            for (int g = 0; g < s.groups().size(); g++) {
                long count = (long) layout.fullCounts[s.offset() + g];
                if (!layout.sufficient[s.offset() + g]) {
                    insufficient.computeIfAbsent(s.name(), x -> new TreeMap<>()).put(s.groups().get(g), count);
                    warnings.add(s.name() + "=" + s.groups().get(g) + " has " + count + " rows, fewer than the minimum "
                            + o.minGroupSize() + ": reported as insufficient_data, left out of fairness metrics");
                } else {
                    sufficient++;
                }
                if (s.privileged()[g]) {
                    privileged.put(s.name(), s.groups().get(g));
                }
            }
            if (sufficient < 2) {
                warnings.add(s.name() + " has " + sufficient + " group(s) with at least " + o.minGroupSize()
                        + " rows: its fairness metrics compare nothing");
            }
        }
        long t1 = System.nanoTime();
        Bootstrap.Intervals intervals = null;
        if (o.bootstrap() > 0) {
            intervals = Bootstrap.run(engine, d.rows(), point.size(), o.bootstrap(), o.seed(), o.threads());
        } else {
            warnings.add("bootstrap disabled: no confidence intervals");
        }
        long boot = System.nanoTime() - t1;
        Map<String, Object> calibration = o.calibration() == null ? null
                : CalibrationCheck.run(o.calibration(), o, layout, warnings);
        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("load", loadNanos);
        timings.put("model", modelNanos);
        timings.put("metrics", metrics);
        timings.put("bootstrap", boot);
        return new EvaluationResult(o, d.metadata(), point, intervals, insufficient, privileged, calibration,
                List.copyOf(warnings), timings);
    }
}
