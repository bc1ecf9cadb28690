package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.metrics.ClassConfusion;
import dev.quantgate.evaluation.metrics.Disparity;
import dev.quantgate.evaluation.metrics.DisparityMethod;
import dev.quantgate.evaluation.metrics.FairnessMetrics;
import dev.quantgate.evaluation.metrics.PrivilegedSplit;
import dev.quantgate.evaluation.metrics.Rates;
import dev.quantgate.evaluation.engine.FigureKey.Kind;
import dev.quantgate.evaluation.engine.FigureKey.Part;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Computes every figure of a report from per-row data and a row multiplicity (1 each for the point estimate, a
 * bootstrap resample's counts otherwise): one pass summing per finest group, sums per reported group, one sorted
 * sweep per model for ROC AUC, then the figures. The same code serves the estimate and every resample, so the
 * intervals are of exactly the reported quantities.
 */
final class MetricsEngine {

    private final EvaluationData d;
    private final Layout layout;
    private final DisparityMethod method;
    private final int k;
    private final SortedView orderS;
    private final SortedView orderV;
    /** Per section, the global indices of all its groups, and of those with at least the minimum group size. */
    private final int[][] allGroups;
    private final int[][] supportedGroups;
    private Figures blockLayout;
    private Figures fullLayout;

    MetricsEngine(EvaluationData d, Layout layout, EvaluationOptions o) {
        this.d = d;
        this.layout = layout;
        this.method = o.method();
        this.k = d.task().classification() ? d.classes().size() : 1;
        this.orderS = d.source().score() == null ? null : new SortedView(d.source().score(), d, layout);
        this.orderV = d.variant().score() == null ? null : new SortedView(d.variant().score(), d, layout);
        this.allGroups = new int[layout.sections.size()][];
        this.supportedGroups = new int[layout.sections.size()][];
        for (int s = 0; s < layout.sections.size(); s++) {
            Layout.Section sec = layout.sections.get(s);
            allGroups[s] = IntStream.range(sec.offset(), sec.offset() + sec.groups().size()).toArray();
            supportedGroups[s] = IntStream.of(allGroups[s]).filter(g -> layout.sufficient[g]).toArray();
        }
    }

    /**
     * Rows in ascending score order with their label, weight and groups copied into that order (so the sweep reads
     * memory sequentially), and the tie blocks' boundaries.
     */
    private static final class SortedView {
        final int[] row;
        final int[] label;
        final double[] positive;
        final double[] weight;
        final int[] groups;
        final int[] blockStart;
        /** For each tie block of several rows, the distinct global groups its rows belong to. */
        final int[] blockGroupStart;
        final int[] blockGroups;

        SortedView(double[] score, EvaluationData d, Layout layout) {
            int n = score.length;
            this.row = IntStream.range(0, n).boxed().sorted((a, b) -> Double.compare(score[a], score[b]))
                    .mapToInt(Integer::intValue).toArray();
            int stride = layout.stride;
            this.label = new int[n];
            this.positive = new double[n];
            this.weight = d.weight() == null ? null : new double[n];
            this.groups = new int[n * stride];
            int[] starts = new int[n + 1];
            int blocks = 0;
            for (int k = 0; k < n; k++) {
                int r = row[k];
                label[k] = d.label()[r];
                positive[k] = label[k] == 1 ? 1 : 0;
                if (weight != null) {
                    weight[k] = d.weight()[r];
                }
                System.arraycopy(layout.rowGroups, r * stride, groups, k * stride, stride);
                if (k == 0 || score[r] != score[row[k - 1]]) {
                    starts[blocks++] = k;
                }
            }
            starts[blocks] = n;
            this.blockStart = java.util.Arrays.copyOf(starts, blocks + 1);
            this.blockGroupStart = new int[blocks + 1];
            Growable.Ints distinct = new Growable.Ints();
            boolean[] seen = new boolean[layout.groupCount];
            int[] touched = new int[layout.groupCount];
            for (int b = 0; b < blocks; b++) {
                blockGroupStart[b] = distinct.size();
                if (blockStart[b + 1] - blockStart[b] > 1) {
                    int count = 0;
                    for (int k = blockStart[b] * stride; k < blockStart[b + 1] * stride; k++) {
                        if (!seen[groups[k]]) {
                            seen[groups[k]] = true;
                            touched[count++] = groups[k];
                            distinct.add(groups[k]);
                        }
                    }
                    for (int k = 0; k < count; k++) {
                        seen[touched[k]] = false;
                    }
                }
            }
            blockGroupStart[blocks] = distinct.size();
            this.blockGroups = distinct.toArray();
        }
    }

    Workspace workspace() {
        return new Workspace(layout.rows, layout.finestCount, layout.groupCount, k);
    }

    /** The figures for row multiplicities {@code mult} (null: every row once). */
    Figures compute(byte[] mult, Workspace ws) {
        ws.clear();
        aggregate(mult, ws);
        if (orderS != null) {
            auc(mult, ws, orderS, ws.pairsS);
            auc(mult, ws, orderV, ws.pairsV);
        }
        Figures full;
        if (fullLayout == null) {
            full = new Figures();
        } else {
            if (ws.out == null) {
                ws.out = new double[fullLayout.size()];
            }
            full = new Figures(fullLayout, ws.out);
        }
        if (d.task() == Task.FIDELITY) {
            fidelity(ws, full);
        } else {
            Figures bs;
            Figures bv;
            if (blockLayout == null) {
                bs = new Figures();
                bv = new Figures();
            } else {
                if (ws.bufS == null) {
                    ws.bufS = new double[blockLayout.size()];
                    ws.bufV = new double[blockLayout.size()];
                }
                bs = new Figures(blockLayout, ws.bufS);
                bv = new Figures(blockLayout, ws.bufV);
            }
            block(ws, true, bs);
            block(ws, false, bv);
            if (blockLayout == null) {
                blockLayout = bs;
            }
            boolean rec = full.recording();
            for (int i = 0; i < bs.size(); i++) {
                full.put(rec ? blockLayout.key(i).in(Part.SOURCE) : null, bs.value(i));
            }
            for (int i = 0; i < bv.size(); i++) {
                full.put(rec ? blockLayout.key(i).in(Part.VARIANT) : null, bv.value(i));
            }
            for (int i = 0; i < bs.size(); i++) {
                full.put(rec ? blockLayout.key(i).in(Part.DELTA) : null, bv.value(i) - bs.value(i));
            }
            changes(ws, full);
        }
        if (fullLayout == null) {
            fullLayout = full;
        }
        return full;
    }

    private void aggregate(byte[] mult, Workspace ws) {
        int n = layout.rows;
        int kk = ws.kk;
        int[] fin = layout.finest;
        double[] weight = d.weight();
        Task task = d.task();
        int[] y = d.label();
        int[] ps = d.source().predicted();
        int[] pv = d.variant().predicted();
        double[] ls = d.source().loss();
        double[] lv = d.variant().loss();
        for (int r = 0; r < n; r++) {
            int m = mult == null ? 1 : mult[r];
            double w = weight == null ? m : m * weight[r];
            int f = fin[r];
            ws.fCount[f] += m;
            ws.fWeight[f] += w;
            if (task.classification()) {
                int base = f * kk + y[r] * k;
                ws.fConfS[base + ps[r]] += w;
                ws.fConfV[base + pv[r]] += w;
                if (ps[r] != pv[r]) {
                    ws.fFlip[f] += w;
                }
                if (ls != null) {
                    ws.fLossS[f] += w * ls[r];
                    ws.fLossV[f] += w * lv[r];
                }
            } else if (task == Task.REGRESSION) {
                double es = d.source().value()[r] - d.target()[r];
                double ev = d.variant().value()[r] - d.target()[r];
                ws.fAbsS[f] += w * Math.abs(es);
                ws.fSqS[f] += w * es * es;
                ws.fAbsV[f] += w * Math.abs(ev);
                ws.fSqV[f] += w * ev * ev;
            } else {
                ws.fCos[f] += w * d.fidelity().cosine()[r];
                ws.fMean[f] += w * d.fidelity().meanAbs()[r];
                ws.fMax[f] = Math.max(ws.fMax[f], d.fidelity().maxAbs()[r]);
            }
        }
        // finest → overall (0) and each section's groups
        for (int f = 0; f < layout.finestCount; f++) {
            add(ws, f, 0);
            for (Layout.Section s : layout.sections) {
                add(ws, f, s.offset() + s.groupOfFinest()[f]);
            }
        }
    }

    private static void add(Workspace ws, int f, int g) {
        ws.gCount[g] += ws.fCount[f];
        ws.gWeight[g] += ws.fWeight[f];
        for (int i = 0; i < ws.kk; i++) {
            ws.gConfS[g * ws.kk + i] += ws.fConfS[f * ws.kk + i];
            ws.gConfV[g * ws.kk + i] += ws.fConfV[f * ws.kk + i];
        }
        ws.gLossS[g] += ws.fLossS[f];
        ws.gLossV[g] += ws.fLossV[f];
        ws.gFlip[g] += ws.fFlip[f];
        ws.gAbsS[g] += ws.fAbsS[f];
        ws.gSqS[g] += ws.fSqS[f];
        ws.gAbsV[g] += ws.fAbsV[f];
        ws.gSqV[g] += ws.fSqV[f];
        ws.gCos[g] += ws.fCos[f];
        ws.gMean[g] += ws.fMean[f];
        ws.gMax[g] = Math.max(ws.gMax[g], ws.fMax[f]);
    }

    /**
     * Weighted ROC AUC numerators for every group in one sweep over rows sorted by score: each positive counts
     * the negatives below it, ties as one half (the Mann–Whitney statistic, equal to the trapezoidal area).
     */
    private void auc(byte[] mult, Workspace ws, SortedView v, double[] pairs) {
        int stride = layout.stride;
        int[] groups = v.groups;
        double[] negBelow = ws.negBelow;
        java.util.Arrays.fill(negBelow, 0);
        int[] starts = v.blockStart;
        for (int b = 0; b + 1 < starts.length; b++) {
            int i = starts[b];
            int j = starts[b + 1];
            if (j - i == 1) {
                // branch-free: a row drawn 0 times adds 0; a positive adds pairs, a negative raises negBelow
                double w = mult == null ? 1 : mult[v.row[i]];
                if (v.weight != null) {
                    w *= v.weight[i];
                }
                double wp = w * v.positive[i];
                double wn = w - wp;
                int base = i * stride;
                for (int c = 0; c < stride; c++) {
                    int g = groups[base + c];
                    pairs[g] += wp * negBelow[g];
                    negBelow[g] += wn;
                }
                continue;
            }
            for (int t = i; t < j; t++) {
                double w = mult == null ? 1 : mult[v.row[t]];
                if (v.weight != null) {
                    w *= v.weight[t];
                }
                double wp = w * v.positive[t];
                double wn = w - wp;
                int base = t * stride;
                for (int c = 0; c < stride; c++) {
                    int g = groups[base + c];
                    ws.blockPos[g] += wp;
                    ws.blockNeg[g] += wn;
                }
            }
            for (int k = v.blockGroupStart[b]; k < v.blockGroupStart[b + 1]; k++) {
                int g = v.blockGroups[k];
                pairs[g] += ws.blockPos[g] * (negBelow[g] + 0.5 * ws.blockNeg[g]);
                negBelow[g] += ws.blockNeg[g];
                ws.blockPos[g] = 0;
                ws.blockNeg[g] = 0;
            }
        }
    }

    private Rates rates(double[] conf, int g) {
        return new Rates(conf[g * 4], conf[g * 4 + 1], conf[g * 4 + 2], conf[g * 4 + 3]);
    }

    private void block(Workspace ws, boolean source, Figures out) {
        double[] conf = source ? ws.gConfS : ws.gConfV;
        for (int g = 0; g < layout.groupCount; g++) {
            int sec = layout.sectionOf[g];
            double wsum = ws.gWeight[g];
            switch (d.task()) {
                case BINARY -> {
                    Rates r = rates(conf, g);
                    put(out, sec, g, "selection_rate", r.selectionRate());
                    put(out, sec, g, "accuracy", r.accuracy());
                    put(out, sec, g, "error_rate", r.errorRate());
                    put(out, sec, g, "true_positive_rate", r.truePositiveRate());
                    put(out, sec, g, "false_positive_rate", r.falsePositiveRate());
                    put(out, sec, g, "true_negative_rate", r.trueNegativeRate());
                    put(out, sec, g, "false_negative_rate", r.falseNegativeRate());
                    put(out, sec, g, "balanced_accuracy", r.balancedAccuracy());
                    put(out, sec, g, "precision", r.precision());
                    put(out, sec, g, "recall", r.recall());
                    put(out, sec, g, "f1", r.f1());
                    if (orderS != null) {
                        double pairs = source ? ws.pairsS[g] : ws.pairsV[g];
                        double pos = r.tp() + r.fn();
                        double neg = r.tn() + r.fp();
                        put(out, sec, g, "roc_auc", pos == 0 || neg == 0 ? Double.NaN : pairs / (pos * neg));
                    }
                    if (d.source().loss() != null) {
                        put(out, sec, g, "log_loss", (source ? ws.gLossS[g] : ws.gLossV[g]) / wsum);
                    }
                }
                case MULTICLASS -> {
                    int off = g * ws.kk;
                    put(out, sec, g, "accuracy", ClassConfusion.accuracy(conf, off, k));
                    put(out, sec, g, "balanced_accuracy", ClassConfusion.balancedAccuracy(conf, off, k));
                    put(out, sec, g, "precision", ClassConfusion.macro(conf, off, k, 0));
                    put(out, sec, g, "recall", ClassConfusion.macro(conf, off, k, 1));
                    put(out, sec, g, "f1", ClassConfusion.macro(conf, off, k, 2));
                    if (d.source().loss() != null) {
                        put(out, sec, g, "log_loss", (source ? ws.gLossS[g] : ws.gLossV[g]) / wsum);
                    }
                }
                case REGRESSION -> {
                    put(out, sec, g, "mean_absolute_error", (source ? ws.gAbsS[g] : ws.gAbsV[g]) / wsum);
                    put(out, sec, g, "root_mean_squared_error", Math.sqrt((source ? ws.gSqS[g] : ws.gSqV[g]) / wsum));
                }
                case FIDELITY -> throw new IllegalStateException("fidelity has no per-model block");
            }
        }
        for (int s = 0; s < layout.sections.size(); s++) {
            int from = out.size();
            fairness(ws, conf, source, s, Kind.FAIRNESS, allGroups[s], out);
            if (supportedGroups[s].length == allGroups[s].length) {
                out.repeat(from, out.size(), Kind.FAIRNESS_SUPPORTED);
            } else {
                fairness(ws, conf, source, s, Kind.FAIRNESS_SUPPORTED, supportedGroups[s], out);
            }
            privileged(conf, s, out);
        }
    }

    private static void put(Figures out, int section, int group, String metric, double v) {
        out.put(Part.SOURCE, Kind.GROUP, section, group, metric, v);
    }

    /** Fairness metrics of section {@code s} over the global groups {@code groups}. */
    private void fairness(Workspace ws, double[] conf, boolean source, int s, Kind kind, int[] groups, Figures out) {
        switch (d.task()) {
            case BINARY -> {
                List<Rates> rates = new ArrayList<>(groups.length);
                for (int g : groups) {
                    rates.add(rates(conf, g));
                }
                FairnessMetrics fm = new FairnessMetrics(rates, rates(conf, 0), method);
                for (Map.Entry<String, Double> e : fm.all().entrySet()) {
                    out.put(Part.SOURCE, kind, s, -1, e.getKey(), e.getValue());
                }
            }
            case MULTICLASS -> {
                double[] acc = new double[groups.length];
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = ClassConfusion.accuracy(conf, groups[i] * ws.kk, k);
                }
                double all = ClassConfusion.accuracy(conf, 0, k);
                out.put(Part.SOURCE, kind, s, -1, "accuracy_difference", Disparity.difference(acc, all, method));
                out.put(Part.SOURCE, kind, s, -1, "accuracy_ratio", Disparity.ratio(acc, all, method));
            }
            case REGRESSION -> {
                double[] abs = source ? ws.gAbsS : ws.gAbsV;
                double[] mae = new double[groups.length];
                for (int i = 0; i < mae.length; i++) {
                    mae[i] = abs[groups[i]] / ws.gWeight[groups[i]];
                }
                double all = abs[0] / ws.gWeight[0];
                out.put(Part.SOURCE, kind, s, -1, "mean_absolute_error_difference", Disparity.difference(mae, all, method));
                out.put(Part.SOURCE, kind, s, -1, "mean_absolute_error_ratio", Disparity.ratio(mae, all, method));
            }
            case FIDELITY -> throw new IllegalStateException("fidelity has no per-model block");
        }
    }

    /** AIF360's and Clarify's metrics of the privileged rows against all others (binary, with a privileged group). */
    private void privileged(double[] conf, int s, Figures out) {
        Layout.Section sec = layout.sections.get(s);
        if (d.task() != Task.BINARY || !sec.hasPrivileged()) {
            return;
        }
        Rates priv = new Rates(0, 0, 0, 0);
        Rates unpriv = new Rates(0, 0, 0, 0);
        for (int g = 0; g < sec.groups().size(); g++) {
            Rates r = rates(conf, sec.offset() + g);
            if (sec.privileged()[g]) {
                priv = priv.plus(r);
            } else {
                unpriv = unpriv.plus(r);
            }
        }
        PrivilegedSplit split = new PrivilegedSplit(priv, unpriv);
        for (Map.Entry<String, Double> e : split.aif360().entrySet()) {
            out.put(Part.SOURCE, Kind.AIF360, s, -1, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Double> e : split.clarify().entrySet()) {
            out.put(Part.SOURCE, Kind.CLARIFY, s, -1, e.getKey(), e.getValue());
        }
    }

    /** Prediction flips and the per-group accuracy drop (classification) or MAE increase (regression), every group. */
    private void changes(Workspace ws, Figures out) {
        boolean classification = d.task().classification();
        if (classification) {
            for (int g = 0; g < layout.groupCount; g++) {
                out.put(Part.FLIPS, Kind.GROUP, layout.sectionOf[g], g, "flip_rate", ws.gFlip[g] / ws.gWeight[g]);
            }
        }
        String name = classification ? "accuracy_drop" : "mean_absolute_error_increase";
        for (int g = 0; g < layout.groupCount; g++) {
            out.put(Part.IMPACT, Kind.GROUP, layout.sectionOf[g], g, name, drop(ws, g));
        }
    }

    private double drop(Workspace ws, int g) {
        if (d.task().classification()) {
            return ClassConfusion.accuracy(ws.gConfS, g * ws.kk, k) - ClassConfusion.accuracy(ws.gConfV, g * ws.kk, k);
        }
        return (ws.gAbsV[g] - ws.gAbsS[g]) / ws.gWeight[g];
    }

    private void fidelity(Workspace ws, Figures out) {
        double[] cos = new double[layout.groupCount];
        double[] mean = new double[layout.groupCount];
        for (int g = 0; g < layout.groupCount; g++) {
            int sec = layout.sectionOf[g];
            cos[g] = ws.gCos[g] / ws.gWeight[g];
            mean[g] = ws.gMean[g] / ws.gWeight[g];
            out.put(Part.FIDELITY, Kind.GROUP, sec, g, "cosine_similarity", cos[g]);
            out.put(Part.FIDELITY, Kind.GROUP, sec, g, "mean_absolute_error", mean[g]);
            out.put(Part.FIDELITY, Kind.GROUP, sec, g, "max_absolute_error", ws.gWeight[g] == 0 ? Double.NaN : ws.gMax[g]);
        }
        for (int s = 0; s < layout.sections.size(); s++) {
            fidelityDisparity(cos, mean, s, Kind.FAIRNESS, allGroups[s], out);
            fidelityDisparity(cos, mean, s, Kind.FAIRNESS_SUPPORTED, supportedGroups[s], out);
        }
    }

    private void fidelityDisparity(double[] cos, double[] mean, int s, Kind kind, int[] groups, Figures out) {
        double[] c = new double[groups.length];
        double[] m = new double[groups.length];
        for (int i = 0; i < groups.length; i++) {
            c[i] = cos[groups[i]];
            m[i] = mean[groups[i]];
        }
        out.put(Part.FIDELITY, kind, s, -1, "cosine_similarity_difference", Disparity.difference(c, cos[0], method));
        out.put(Part.FIDELITY, kind, s, -1, "mean_absolute_error_difference", Disparity.difference(m, mean[0], method));
    }
}
