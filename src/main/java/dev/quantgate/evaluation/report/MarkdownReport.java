package dev.quantgate.evaluation.report;

import dev.quantgate.evaluation.result.CalibrationResult;
import dev.quantgate.evaluation.result.Change;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.evaluation.result.Figure;
import dev.quantgate.evaluation.result.GroupChange;
import dev.quantgate.evaluation.result.GroupFigures;
import dev.quantgate.evaluation.result.ModelFigures;
import dev.quantgate.evaluation.result.ModelInfo;
import dev.quantgate.evaluation.result.SectionFigures;
import dev.quantgate.evaluation.result.Support;
import dev.quantgate.evaluation.result.Warning;

import java.util.List;
import java.util.Locale;
import java.util.SortedMap;

/** A Markdown rendering of an evaluation result, for people: the same figures as the JSON report, as tables. */
public final class MarkdownReport {

    private static final List<String> GROUP_METRICS = List.of("selection_rate", "true_positive_rate",
            "false_positive_rate", "accuracy", "mean_absolute_error", "cosine_similarity");

    private MarkdownReport() {
    }

    public static String render(EvaluationResult r) {
        StringBuilder md = new StringBuilder();
        md.append("# Evaluation report\n\n");
        md.append("- schema: `").append(EvaluationReport.SCHEMA).append("`, options sha256 `")
                .append(r.options().sha256()).append("`\n");
        if (r.dataset() != null) {
            md.append("- dataset: `").append(r.dataset().file()).append("`, ").append(r.dataset().rows())
                    .append(" rows, sha256 `").append(r.dataset().sha256()).append("`\n");
        }
        model(md, "source", r.sourceModel());
        model(md, "variant", r.variantModel());
        if (r.runtime() != null) {
            md.append("- runtime: ONNX Runtime ").append(r.runtime().onnxRuntimeVersion()).append(", providers ")
                    .append(r.runtime().executionProviders()).append(", batch size ").append(r.runtime().batchSize()).append('\n');
        }
        md.append("- task: ").append(r.options().task().key()).append(", bootstrap: ").append(r.bootstrapIterations())
                .append(" iterations, 95% ").append(r.intervalMethod().key()).append(" intervals, minimum group size ")
                .append(r.options().minGroupSize()).append("\n\n");
        if (r.fidelity() != null) {
            md.append("## Fidelity (variant against source)\n\n");
            single(md, r.fidelity().overall().figures());
            sections(md, r.fidelity(), null, null);
        } else {
            md.append("## Overall\n\n");
            compare(md, r.source().overall().figures(), r.variant().overall().figures(), r.delta().overall().figures());
            if (r.flips() != null) {
                md.append("\nPrediction flip rate (source vs variant): ").append(num(r.flips().overall())).append('\n');
            }
            hurt(md, r.impact());
            md.append('\n');
            sections(md, r.source(), r.variant(), r.delta());
        }
        if (r.calibration() != null) {
            md.append("## Calibration set representativeness\n\n| attribute | group | calibration share | evaluation share | flagged |\n|---|---|---|---|---|\n");
            for (CalibrationResult.Group g : r.calibration().groups()) {
                md.append("| ").append(g.attribute()).append(" | ").append(g.group()).append(" | ")
                        .append(fmt(g.calibrationShare())).append(" | ").append(fmt(g.evaluationShare())).append(" | ")
                        .append(g.underRepresented() ? "under-represented" : "").append(" |\n");
            }
            md.append('\n');
        }
        if (!r.warnings().isEmpty()) {
            md.append("## Warnings\n\n");
            for (Warning w : r.warnings()) {
                md.append("- ").append(w.code().key()).append(": ").append(w.message()).append('\n');
            }
        }
        return md.toString();
    }

    private static void model(StringBuilder md, String which, ModelInfo m) {
        if (m == null) {
            return;
        }
        md.append("- ").append(which).append(": ");
        if (m.predictionsColumn() != null) {
            md.append("predictions column `").append(m.predictionsColumn()).append("`\n");
            return;
        }
        md.append('`').append(m.file()).append("`, sha256 `").append(m.sha256()).append('`');
        if (m.files().size() > 1) {
            md.append(", ").append(m.files().size() - 1).append(" external-data file(s)");
        }
        md.append('\n');
    }

    private static void hurt(StringBuilder md, Change impact) {
        if (impact == null) {
            return;
        }
        GroupChange[] worst = {impact.worst(), impact.worstSupported()};
        for (int i = 0; i < worst.length; i++) {
            GroupChange g = worst[i];
            if (g != null) {
                md.append("\nGroup hurt most").append(i == 1 ? " (among groups with enough rows)" : "")
                        .append(": **").append(g.attribute()).append(" = ").append(g.group()).append("** (")
                        .append(g.count()).append(" rows").append(g.support() == Support.LOW ? ", low support" : "")
                        .append("), ").append(impact.metric().replace('_', ' ')).append(' ').append(num(g.figure())).append('\n');
            }
        }
    }

    private static void single(StringBuilder md, SortedMap<String, Figure> figures) {
        md.append("| metric | value | 95% interval |\n|---|---|---|\n");
        figures.forEach((k, f) -> md.append("| ").append(k).append(" | ").append(fmt(f.value())).append(" | ")
                .append(ci(f)).append(" |\n"));
    }

    private static void compare(StringBuilder md, SortedMap<String, Figure> s, SortedMap<String, Figure> v,
                                SortedMap<String, Figure> d) {
        md.append("| metric | source | variant | delta | delta 95% interval |\n|---|---|---|---|---|\n");
        s.forEach((k, f) -> md.append("| ").append(k).append(" | ").append(num(f)).append(" | ").append(num(v.get(k)))
                .append(" | ").append(fmt(d.get(k).value())).append(" | ").append(ci(d.get(k))).append(" |\n"));
    }

    private static void sections(StringBuilder md, ModelFigures s, ModelFigures v, ModelFigures d) {
        for (SectionFigures sec : s.sections()) {
            md.append("## By ").append(sec.attribute()).append("\n\n");
            List<String> metrics = GROUP_METRICS.stream()
                    .filter(m -> sec.groups().stream().anyMatch(g -> g.figures().containsKey(m))).toList();
            md.append("| group | count |");
            metrics.forEach(m -> md.append(' ').append(m).append(v == null ? "" : " (source → variant, Δ)").append(" |"));
            md.append("\n|---|---|").append("---|".repeat(metrics.size())).append('\n');
            for (GroupFigures g : sec.groups()) {
                md.append("| ").append(g.name()).append(" | ").append(g.count())
                        .append(g.support() == Support.LOW ? " (low support)" : "").append(" |");
                GroupFigures vg = v == null ? null : v.section(sec.attribute()).group(g.name());
                GroupFigures dg = d == null ? null : d.section(sec.attribute()).group(g.name());
                for (String m : metrics) {
                    md.append(' ').append(num(g.figure(m)));
                    if (vg != null) {
                        md.append(" → ").append(num(vg.figure(m))).append(", Δ ").append(num(dg.figure(m)));
                    }
                    md.append(" |");
                }
                md.append('\n');
            }
            if (!sec.fairness().isEmpty()) {
                md.append('\n');
                if (v == null) {
                    single(md, sec.fairness());
                } else {
                    SectionFigures vs = v.section(sec.attribute());
                    SectionFigures ds = d.section(sec.attribute());
                    md.append("| fairness metric (all groups) | source | variant | delta | delta 95% interval | delta, groups with enough rows |\n")
                            .append("|---|---|---|---|---|---|\n");
                    sec.fairness().forEach((k, f) -> md.append("| ").append(k).append(" | ").append(num(f)).append(" | ")
                            .append(num(vs.fairness().get(k))).append(" | ").append(fmt(ds.fairness().get(k).value()))
                            .append(" | ").append(ci(ds.fairness().get(k))).append(" | ")
                            .append(num(ds.fairnessSupported().get(k))).append(" |\n"));
                }
            }
            md.append('\n');
        }
    }

    private static String num(Figure f) {
        if (f == null) {
            return "n/a";
        }
        return fmt(f.value()) + ci(f);
    }

    private static String fmt(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static String ci(Figure f) {
        if (f == null || f.interval() == null) {
            return "";
        }
        return String.format(Locale.ROOT, " [%.4f, %.4f]", f.interval().low(), f.interval().high());
    }
}
