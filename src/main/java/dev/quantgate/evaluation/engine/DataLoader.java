package dev.quantgate.evaluation.engine;

import ai.onnxruntime.OnnxTensor;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.dataset.Datasets;
import dev.quantgate.evaluation.dataset.ModelSignature;
import dev.quantgate.evaluation.dataset.TabularSource;
import dev.quantgate.evaluation.model.ModelFiles;
import dev.quantgate.evaluation.model.OnnxModelRunner;
import dev.quantgate.evaluation.result.DatasetInfo;
import dev.quantgate.evaluation.result.ModelInfo;
import dev.quantgate.evaluation.result.RuntimeInfo;
import dev.quantgate.evaluation.result.Warning;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a dataset once, streaming: runs both models batch by batch (or reads predictions made elsewhere) and
 * keeps only labels, predictions, group ids and weights, in primitive arrays.
 */
public final class DataLoader {

    private long modelNanos;

    /** Nanoseconds spent building input tensors, running both models and reading their outputs. */
    public long modelNanos() {
        return modelNanos;
    }

    public EvaluationData fromModels(Path sourceModel, Path variantModel, Path dataset, EvaluationOptions o) {
        check(o);
        List<Warning> warnings = new ArrayList<>();
        if (o.batchSize() < 1) {
            throw new BadInputException("the batch size must be at least 1, not " + o.batchSize());
        }
        if (o.deploymentBatchSize() != null && o.deploymentBatchSize() < 1) {
            throw new BadInputException("the deployment batch size must be at least 1, not " + o.deploymentBatchSize());
        }
        try (OnnxModelRunner sourceRunner = new OnnxModelRunner(sourceModel, o.threads());
             OnnxModelRunner variantRunner = new OnnxModelRunner(variantModel, o.threads());
             TabularSource src = Datasets.open(dataset)) {
            ModelSide source = new ModelSide(sourceRunner, o);
            ModelSide variant = new ModelSide(variantRunner, o);
            if (o.task() == Task.FIDELITY) {
                // any numeric output; the two must agree in width, checked per batch
            } else if (source.hasProbabilities() != variant.hasProbabilities()) {
                throw new BadInputException("the source's output '" + source.output.name() + "' and the variant's '"
                        + variant.output.name() + "' differ in kind (probabilities vs labels)");
            }
            if (o.task().classification() && !source.hasProbabilities()) {
                warnings.add(new Warning(Warning.Code.LABELS_ONLY, "the models output labels only: roc_auc and log_loss are not reported"));
            }
            Common common = new Common(src, o);
            List<String> features = featureColumns(src, o, common);
            int[] featureIndex = new int[features.size()];
            for (int i = 0; i < featureIndex.length; i++) {
                featureIndex[i] = Columns.require(src, features.get(i), "feature");
            }
            int f = featureIndex.length;
            int batch = Math.max(1, o.batchSize());
            sourceRunner.prepare(batch, f);
            variantRunner.prepare(batch, f);
            float[] values = new float[batch * f];
            int[] batchLabels = new int[batch];
            Growable.Doubles cos = new Growable.Doubles();
            Growable.Doubles maxAbs = new Growable.Doubles();
            Growable.Doubles meanAbs = new Growable.Doubles();
            int inBatch = 0;
            String[] row;
            while ((row = src.next()) != null) {
                for (int j = 0; j < f; j++) {
                    values[inBatch * f + j] = (float) Columns.number(row[featureIndex[j]], src, features.get(j), "feature");
                }
                common.add(row);
                if (common.labelIndex >= 0) {
                    batchLabels[inBatch] = common.lastLabel;
                }
                inBatch++;
                if (inBatch == batch) {
                    flush(source, variant, values, inBatch, batchLabels, src.rowNumber() - inBatch + 1, o, cos, maxAbs, meanAbs);
                    inBatch = 0;
                }
            }
            if (inBatch > 0) {
                flush(source, variant, values, inBatch, batchLabels, src.rowNumber() - inBatch + 1, o, cos, maxAbs, meanAbs);
            }
            if (src.rowNumber() == 0) {
                throw new BadInputException(src.description() + " has a header but no rows");
            }
            precisionWarnings("source", sourceRunner, o, warnings);
            precisionWarnings("variant", variantRunner, o, warnings);
            EvaluationData.Provenance meta = new EvaluationData.Provenance(datasetMeta(dataset, src, o, features),
                    modelMeta(sourceRunner, source), modelMeta(variantRunner, variant),
                    new RuntimeInfo(sourceRunner.runtimeVersion(), sourceRunner.providers(), o.threads(), batch));
            EvaluationData.Fidelity fidelity = o.task() == Task.FIDELITY
                    ? new EvaluationData.Fidelity(cos.toArray(), maxAbs.toArray(), meanAbs.toArray()) : null;
            return common.build(predictions(source, o), predictions(variant, o), fidelity, meta, warnings);
        }
    }

    private void flush(ModelSide source, ModelSide variant, float[] values, int rows, int[] labels, long firstRow,
                       EvaluationOptions o, Growable.Doubles cos, Growable.Doubles maxAbs, Growable.Doubles meanAbs) {
        long t0 = System.nanoTime();
        float[] s;
        float[] v;
        if (variant.runner.sharesInputWith(source.runner)) {
            try (OnnxTensor tensor = source.runner.tensor(values, rows)) {
                s = source.runner.run(tensor, rows, source.output);
                v = variant.runner.run(tensor, rows, variant.output);
            }
        } else {
            s = source.runner.run(values, rows, source.output);
            v = variant.runner.run(values, rows, variant.output);
        }
        modelNanos += System.nanoTime() - t0;
        source.accept(s, rows, labels, firstRow);
        variant.accept(v, rows, labels, firstRow);
        if (o.task() == Task.FIDELITY) {
            if (s.length != v.length) {
                throw new BadInputException("the source's output '" + source.output.name() + "' gives " + s.length / rows
                        + " values per row, the variant's '" + variant.output.name() + "' " + v.length / rows);
            }
            int width = s.length / rows;
            for (int i = 0; i < rows; i++) {
                double dot = 0;
                double ns = 0;
                double nv = 0;
                double max = 0;
                double sum = 0;
                for (int k = i * width; k < (i + 1) * width; k++) {
                    dot += (double) s[k] * v[k];
                    ns += (double) s[k] * s[k];
                    nv += (double) v[k] * v[k];
                    double d = Math.abs((double) s[k] - v[k]);
                    max = Math.max(max, d);
                    sum += d;
                }
                double c = ns == 0 && nv == 0 ? 1 : (ns == 0 || nv == 0 ? 0 : dot / Math.sqrt(ns * nv));
                cos.add(c);
                maxAbs.add(max);
                meanAbs.add(sum / width);
            }
        }
    }

    private static EvaluationData.Predictions predictions(ModelSide m, EvaluationOptions o) {
        return switch (o.task()) {
            case BINARY -> new EvaluationData.Predictions(m.predicted.toArray(),
                    m.hasProbabilities() ? m.score.toArray() : null, m.hasProbabilities() ? m.loss.toArray() : null, null);
            case MULTICLASS -> new EvaluationData.Predictions(m.predicted.toArray(), null,
                    m.hasProbabilities() ? m.loss.toArray() : null, null);
            case REGRESSION -> new EvaluationData.Predictions(null, null, null, m.value.toArray());
            case FIDELITY -> new EvaluationData.Predictions(null, null, null, null);
        };
    }

    /** Predictions mode: a file with the label, both models' predicted labels (and optional scores) and the groups. */
    public EvaluationData fromPredictions(Path file, EvaluationOptions o) {
        check(o);
        if (!o.task().classification()) {
            throw new BadInputException("predictions mode reads predicted labels: use it with the binary or multiclass task");
        }
        try (TabularSource src = Datasets.open(file)) {
            Common common = new Common(src, o);
            int ps = Columns.require(src, o.predSourceColumn(), "source prediction");
            int pv = Columns.require(src, o.predVariantColumn(), "variant prediction");
            int ss = src.indexOf(o.scoreSourceColumn());
            int sv = src.indexOf(o.scoreVariantColumn());
            boolean scores = ss >= 0 && sv >= 0 && o.task() == Task.BINARY;
            List<Warning> warnings = new ArrayList<>();
            if ((ss >= 0) != (sv >= 0)) {
                warnings.add(new Warning(Warning.Code.INPUT, "only one of the score columns '" + o.scoreSourceColumn()
                        + "', '" + o.scoreVariantColumn() + "' is present: scores are ignored"));
            }
            if (!scores) {
                warnings.add(new Warning(Warning.Code.LABELS_ONLY, "no score columns: roc_auc and log_loss are not reported"));
            }
            Growable.Ints predS = new Growable.Ints();
            Growable.Ints predV = new Growable.Ints();
            Growable.Doubles scoreS = new Growable.Doubles();
            Growable.Doubles scoreV = new Growable.Doubles();
            Growable.Doubles lossS = new Growable.Doubles();
            Growable.Doubles lossV = new Growable.Doubles();
            String[] row;
            while ((row = src.next()) != null) {
                common.add(row);
                predS.add(Columns.classIndex(row[ps], o.classes(), src, o.predSourceColumn()));
                predV.add(Columns.classIndex(row[pv], o.classes(), src, o.predVariantColumn()));
                if (scores) {
                    double a = probability(Columns.number(row[ss], src, o.scoreSourceColumn(), "score"), src, o.scoreSourceColumn());
                    double b = probability(Columns.number(row[sv], src, o.scoreVariantColumn(), "score"), src, o.scoreVariantColumn());
                    scoreS.add(a);
                    scoreV.add(b);
                    lossS.add(logLoss(a, common.lastLabel));
                    lossV.add(logLoss(b, common.lastLabel));
                }
            }
            if (src.rowNumber() == 0) {
                throw new BadInputException(src.description() + " has a header but no rows");
            }
            EvaluationData.Provenance meta = new EvaluationData.Provenance(datasetMeta(file, src, o, List.of()),
                    ModelInfo.predictions(o.predSourceColumn()), ModelInfo.predictions(o.predVariantColumn()), null);
            return common.build(
                    new EvaluationData.Predictions(predS.toArray(), scores ? scoreS.toArray() : null, scores ? lossS.toArray() : null, null),
                    new EvaluationData.Predictions(predV.toArray(), scores ? scoreV.toArray() : null, scores ? lossV.toArray() : null, null),
                    null, meta, warnings);
        }
    }

    private static double probability(double p, TabularSource src, String column) {
        if (p < 0 || p > 1) {
            throw new BadInputException(src.description() + ": row " + src.rowNumber() + ", column '" + column
                    + "' is " + p + ", not a probability in [0, 1]");
        }
        return p;
    }

    private static double logLoss(double p, int label) {
        double pt = label == 1 ? p : 1 - p;
        return -Math.log(Math.min(Math.max(pt, ModelSide.EPS), 1 - ModelSide.EPS));
    }

    private static void check(EvaluationOptions o) {
        if (o.task() != Task.FIDELITY && (o.labelColumn() == null || o.labelColumn().isBlank())) {
            throw new BadInputException("a label column is required (--label) for the " + o.task().key() + " task");
        }
        if (o.task() == Task.BINARY && o.classes().size() != 2) {
            throw new BadInputException("the binary task needs exactly 2 classes (negative, positive), got " + o.classes());
        }
        if (o.task() == Task.MULTICLASS && o.classes().size() < 2) {
            throw new BadInputException("the multiclass task needs the class labels (--classes a,b,c)");
        }
        if (Set.copyOf(o.classes()).size() != o.classes().size()) {
            throw new BadInputException("classes repeat a label: " + o.classes());
        }
        if (!(o.threshold() > 0 && o.threshold() < 1)) {
            throw new BadInputException("threshold must be between 0 and 1, not " + o.threshold());
        }
        Set<String> seen = new HashSet<>();
        for (SensitiveAttribute a : o.sensitive()) {
            if (!seen.add(a.column())) {
                throw new BadInputException("sensitive attribute '" + a.column() + "' is named twice");
            }
        }
    }

    private static List<String> featureColumns(TabularSource src, EvaluationOptions o, Common common) {
        if (o.features() != null && !o.features().isEmpty()) {
            return o.features();
        }
        ModelSignature signature = o.signature() == null ? null : ModelSignature.read(o.signature());
        if (signature != null && signature.columnBased()) {
            for (String c : signature.columnNames()) {
                if (src.indexOf(c) < 0) {
                    String hint = Columns.closest(c, src.columns());
                    throw new BadInputException("the dataset does not match the model's signature: " + src.description()
                            + " has no column '" + c + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
                }
            }
            return signature.columnNames();
        }
        Set<String> excluded = new HashSet<>(common.usedColumns());
        List<String> rest = src.columns().stream().filter(c -> !excluded.contains(c)).toList();
        if (signature != null) {
            ModelSignature.Input tensor = signature.inputs().get(0);
            long width = tensor.shape() != null && tensor.shape().length == 2 ? tensor.shape()[1] : -1;
            if (width >= 0 && width != rest.size()) {
                throw new BadInputException("the dataset does not match the model's signature: input '" + tensor.name()
                        + "' takes " + width + " features, " + src.description() + " has " + rest.size()
                        + " columns besides the label, sensitive and weight columns " + rest);
            }
        }
        return rest;
    }

    private static DatasetInfo datasetMeta(Path file, TabularSource src, EvaluationOptions o, List<String> features) {
        return new DatasetInfo(file.getFileName().toString(), Datasets.sha256(file), src.rowNumber(), o.labelColumn(),
                o.task().classification() ? o.classes() : null,
                o.sensitive().stream().map(SensitiveAttribute::column).toList(), features.size(), o.weightColumn());
    }

    private static ModelInfo modelMeta(OnnxModelRunner runner, ModelSide side) {
        ModelFiles f = runner.files();
        String name = f.model().getFileName().toString();
        return new ModelInfo(name, f.files().get(name), f.files(), side.output.name(), null, f.dynamicQuantization(),
                f.float16());
    }

    /**
     * Says when the evidence cannot show what deployment will see: a dynamically quantized model computes its
     * activation scales over the whole batch, so its predictions depend on the batch size; an fp16 model on the CPU
     * provider runs with float32 activations (ONNX Runtime inserts casts around float16 nodes).
     */
    private static void precisionWarnings(String which, OnnxModelRunner runner, EvaluationOptions o, List<Warning> warnings) {
        ModelFiles f = runner.files();
        if (f.dynamicQuantization()) {
            Integer deployed = o.deploymentBatchSize();
            if (deployed == null) {
                warnings.add(new Warning(Warning.Code.BATCH_SIZE, "the " + which + " model is dynamically quantized "
                        + "(activation scales computed per batch) and no deployment batch size is declared: its figures "
                        + "hold for batches of " + o.batchSize() + " rows only"));
            } else if (deployed != o.batchSize()) {
                warnings.add(new Warning(Warning.Code.BATCH_SIZE, "the " + which + " model is dynamically quantized "
                        + "(activation scales computed per batch) and was evaluated at batch size " + o.batchSize()
                        + ", not the deployment batch size " + deployed + ": its predictions in deployment may differ"));
            }
        }
        if (f.float16() && !runner.providers().startsWith("CUDA")) {
            warnings.add(new Warning(Warning.Code.FP16_ACTIVATIONS, "the " + which + " model computes in float16 but ran on "
                    + "ONNX Runtime's CPU provider, which casts float16 nodes to float32: this evidence cannot show "
                    + "fp16 activation effects"));
        }
    }

    /** What both modes read from every row: label, groups, weight. */
    private static final class Common {
        final TabularSource src;
        final EvaluationOptions o;
        final int labelIndex;
        final int weightIndex;
        final GroupEncoder groups;
        final Growable.Ints labels = new Growable.Ints();
        final Growable.Doubles targets = new Growable.Doubles();
        final Growable.Doubles weights = new Growable.Doubles();
        int lastLabel;

        Common(TabularSource src, EvaluationOptions o) {
            this.src = src;
            this.o = o;
            this.labelIndex = o.labelColumn() == null || o.task() == Task.FIDELITY ? -1
                    : Columns.require(src, o.labelColumn(), "label");
            this.weightIndex = o.weightColumn() == null ? -1 : Columns.require(src, o.weightColumn(), "weight");
            this.groups = new GroupEncoder(o.sensitive(), src);
        }

        List<String> usedColumns() {
            List<String> used = new ArrayList<>();
            if (labelIndex >= 0) {
                used.add(o.labelColumn());
            }
            if (weightIndex >= 0) {
                used.add(o.weightColumn());
            }
            o.sensitive().forEach(a -> used.add(a.column()));
            return used;
        }

        void add(String[] row) {
            if (labelIndex >= 0) {
                if (o.task().classification()) {
                    lastLabel = Columns.classIndex(row[labelIndex], o.classes(), src, o.labelColumn());
                    labels.add(lastLabel);
                } else {
                    targets.add(Columns.number(row[labelIndex], src, o.labelColumn(), "label"));
                }
            }
            if (weightIndex >= 0) {
                double w = Columns.number(row[weightIndex], src, o.weightColumn(), "weight");
                if (w < 0) {
                    throw new BadInputException(src.description() + ": row " + src.rowNumber() + ", weight column '"
                            + o.weightColumn() + "' is negative (" + w + ")");
                }
                weights.add(w);
            }
            groups.add(row, src);
        }

        EvaluationData build(EvaluationData.Predictions source, EvaluationData.Predictions variant,
                             EvaluationData.Fidelity fidelity, EvaluationData.Provenance meta, List<Warning> warnings) {
            groups.checkPrivileged(o.privileged());
            int rows = (int) src.rowNumber();
            return new EvaluationData(rows, o.task(), o.classes(), groups.attributeNames(), groups.sortedNames(),
                    groups.sortedIds(), weightIndex >= 0 ? weights.toArray() : null,
                    o.task().classification() ? labels.toArray() : null,
                    o.task() == Task.REGRESSION ? targets.toArray() : null,
                    source, variant, fidelity, meta, warnings);
        }
    }
}
