package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.engine.FigureKey.Part;
import dev.quantgate.evaluation.result.CalibrationResult;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.evaluation.result.Timings;
import dev.quantgate.evaluation.result.Warning;
import dev.quantgate.evaluation.result.Warning.Code;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs an evaluation: load once (models or predictions), compute the figures, bootstrap their intervals. */
public final class Evaluator {

    /** The evaluation engine's version, recorded in evidence beside the report's schema. */
    public static final String VERSION = "quantgate-evaluate/2.0.0";

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
        List<Warning> warnings = new ArrayList<>(d.warnings());
        long t0 = System.nanoTime();
        Layout layout = new Layout(d, o);
        MetricsEngine engine = new MetricsEngine(d, layout, o);
        Figures point = engine.compute(null, engine.workspace());
        long metrics = System.nanoTime() - t0;

        for (Layout.Section s : layout.sections) {
            int sufficient = 0;
            for (int g = 0; g < s.groups().size(); g++) {
                long count = (long) layout.fullCounts[s.offset() + g];
                if (!layout.sufficient[s.offset() + g]) {
                    warnings.add(new Warning(Code.LOW_SUPPORT, s.name() + "=" + s.groups().get(g) + " has " + count
                            + " rows, fewer than the minimum " + o.minGroupSize() + ": reported with support low, its "
                            + "figures are noisy; fairness_supported leaves it out, fairness includes it"));
                } else {
                    sufficient++;
                }
            }
            if (sufficient < 2) {
                warnings.add(new Warning(Code.NOTHING_TO_COMPARE, s.name() + " has " + sufficient + " group(s) with at least "
                        + o.minGroupSize() + " rows: its fairness_supported metrics compare nothing"));
            }
        }
        long t1 = System.nanoTime();
        Bootstrap.Intervals intervals = null;
        if (o.bootstrap() > 0) {
            intervals = Bootstrap.run(engine, point, d.rows(), o.bootstrap(), o.seed(), o.threads(), o.intervalMethod());
        } else {
            warnings.add(new Warning(Code.NO_INTERVALS, "bootstrap disabled: no confidence intervals"));
        }
        long boot = System.nanoTime() - t1;
        CalibrationResult calibration = o.calibration() == null ? null
                : CalibrationCheck.run(o.calibration(), o, layout, warnings);
        ResultAssembler a = new ResultAssembler(layout, point, intervals);
        EvaluationData.Provenance p = d.provenance() == null
                ? new EvaluationData.Provenance(null, null, null, null) : d.provenance();
        return new EvaluationResult(o.frozen(), p.dataset(), p.source(), p.variant(), p.runtime(), o.bootstrap(),
                o.intervalMethod(), a.model(Part.SOURCE), a.model(Part.VARIANT), a.model(Part.DELTA), a.model(Part.FIDELITY),
                a.change(Part.FLIPS), a.change(Part.IMPACT), calibration, warnings,
                new Timings(loadNanos, modelNanos, metrics, boot));
    }
}
