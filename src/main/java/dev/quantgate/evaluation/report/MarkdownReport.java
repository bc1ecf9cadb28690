package dev.quantgate.evaluation.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A Markdown rendering of an evaluation report, for people: the same figures, as tables. */
public final class MarkdownReport {

    private static final List<String> GROUP_METRICS = List.of("selection_rate", "true_positive_rate",
            "false_positive_rate", "accuracy", "mean_absolute_error", "cosine_similarity");

    private MarkdownReport() {
    }

    @SuppressWarnings("unchecked")
    public static String render(Map<String, Object> report) {
        StringBuilder md = new StringBuilder();
        Map<String, Object> dataset = map(report.get("dataset"));
        Map<String, Object> config = map(report.get("config"));
        md.append("# Evaluation report\n\n");
        md.append("- schema: `").append(report.get("schema")).append("`\n");
        md.append("- dataset: `").append(dataset.get("file")).append("`, ").append(dataset.get("rows"))
                .append(" rows, sha256 `").append(dataset.get("sha256")).append("`\n");
        Map<String, Object> models = map(report.get("models"));
        for (String m : List.of("source", "variant")) {
            Map<String, Object> model = map(models.get(m));
            md.append("- ").append(m).append(": ").append(model.containsKey("sha256")
                    ? "`" + model.get("file") + "`, sha256 `" + model.get("sha256") + "`"
                    : "predictions column `" + model.get("predictions_column") + "`").append('\n');
        }
        md.append("- task: ").append(config.get("task")).append(", bootstrap: ")
                .append(map(config.get("bootstrap")).get("iterations")).append(" iterations, 95% intervals\n\n");
        if (report.containsKey("fidelity")) {
            Map<String, Object> fidelity = map(report.get("fidelity"));
            md.append("## Fidelity (variant against source)\n\n");
            overall(md, map(fidelity.get("overall")), null, null);
            sections(md, map(fidelity.get("by_attribute")), null, null);
        } else {
            md.append("## Overall\n\n");
            overall(md, map(map(report.get("source")).get("overall")), map(map(report.get("variant")).get("overall")),
                    map(map(report.get("delta")).get("overall")));
            Map<String, Object> flips = map(report.get("flips"));
            if (!flips.isEmpty()) {
                md.append("\nPrediction flip rate (source vs variant): ").append(num(flips.get("overall")))
                        .append(ci(map(flips.get("ci")).get("overall"))).append("\n");
            }
            Map<String, Object> hurt = map(map(report.get("impact")).get("group_hurt_most"));
            if (!hurt.isEmpty()) {
                md.append("\nGroup hurt most: **").append(hurt.get("attribute")).append(" = ").append(hurt.get("group"))
                        .append("**");
                hurt.forEach((k, v) -> {
                    if (v instanceof Double) {
                        md.append(", ").append(k.replace('_', ' ')).append(' ').append(num(v)).append(ci(hurt.get("ci")));
                    }
                });
                md.append("\n");
            }
            md.append('\n');
            sections(md, map(map(report.get("source")).get("by_attribute")),
                    map(map(report.get("variant")).get("by_attribute")), map(map(report.get("delta")).get("by_attribute")));
        }
        if (report.containsKey("calibration")) {
            md.append("## Calibration set representativeness\n\n| attribute | group | calibration share | evaluation share | flagged |\n|---|---|---|---|---|\n");
            map(map(report.get("calibration")).get("by_attribute")).forEach((section, groups) ->
                    map(groups).forEach((g, v) -> md.append("| ").append(section).append(" | ").append(g).append(" | ")
                            .append(num(map(v).get("calibration_share"))).append(" | ")
                            .append(num(map(v).get("evaluation_share"))).append(" | ")
                            .append(Boolean.TRUE.equals(map(v).get("under_represented")) ? "under-represented" : "")
                            .append(" |\n")));
            md.append('\n');
        }
        List<Object> warnings = (List<Object>) report.getOrDefault("warnings", List.of());
        if (!warnings.isEmpty()) {
            md.append("## Warnings\n\n");
            warnings.forEach(w -> md.append("- ").append(w).append('\n'));
        }
        return md.toString();
    }

    private static void overall(StringBuilder md, Map<String, Object> s, Map<String, Object> v, Map<String, Object> d) {
        if (v == null) {
            md.append("| metric | value | 95% interval |\n|---|---|---|\n");
            s.forEach((k, x) -> {
                if (!k.equals("ci")) {
                    md.append("| ").append(k).append(" | ").append(num(x)).append(" | ")
                            .append(ci(map(s.get("ci")).get(k))).append(" |\n");
                }
            });
            return;
        }
        md.append("| metric | source | variant | delta | delta 95% interval |\n|---|---|---|---|---|\n");
        s.forEach((k, x) -> {
            if (!k.equals("ci") && !k.equals("status")) {
                md.append("| ").append(k).append(" | ").append(num(x)).append(" | ").append(num(v.get(k))).append(" | ")
                        .append(num(d.get(k))).append(" | ").append(ci(map(d.get("ci")).get(k))).append(" |\n");
            }
        });
    }

    private static void sections(StringBuilder md, Map<String, Object> s, Map<String, Object> v, Map<String, Object> d) {
        s.forEach((section, body) -> {
            md.append("## By ").append(section).append("\n\n");
            Map<String, Object> groups = map(map(body).get("groups"));
            md.append("| group | count |");
            List<String> metrics = GROUP_METRICS.stream().filter(m -> groups.values().stream()
                    .anyMatch(g -> map(g).containsKey(m))).toList();
            metrics.forEach(m -> md.append(' ').append(m).append(v == null ? "" : " (source → variant, Δ)").append(" |"));
            md.append("\n|---|---|").append("---|".repeat(metrics.size())).append('\n');
            groups.forEach((g, x) -> {
                Map<String, Object> sg = map(x);
                md.append("| ").append(g).append(" | ").append(num(sg.get("count"))).append(" |");
                if (EvaluationReport.INSUFFICIENT.equals(sg.get("status"))) {
                    metrics.forEach(m -> md.append(" insufficient data |"));
                } else {
                    Map<String, Object> vg = v == null ? null : map(map(map(map(v.get(section)).get("groups")).get(g)));
                    Map<String, Object> dg = d == null ? null : map(map(map(map(d.get(section)).get("groups")).get(g)));
                    for (String m : metrics) {
                        md.append(' ').append(num(sg.get(m)));
                        if (vg != null) {
                            md.append(" → ").append(num(vg.get(m))).append(", Δ ").append(num(dg.get(m)))
                                    .append(ci(map(dg.get("ci")).get(m)));
                        }
                        md.append(" |");
                    }
                }
                md.append('\n');
            });
            Map<String, Object> fairness = map(map(body).get("fairness"));
            if (!fairness.isEmpty()) {
                md.append('\n');
                if (v == null) {
                    overall(md, fairness, null, null);
                } else {
                    Map<String, Object> vf = map(map(v.get(section)).get("fairness"));
                    Map<String, Object> df = map(map(d.get(section)).get("fairness"));
                    md.append("| fairness metric | source | variant | delta | delta 95% interval |\n|---|---|---|---|---|\n");
                    fairness.forEach((k, x) -> {
                        if (x instanceof Double || x == null) {
                            md.append("| ").append(k).append(" | ").append(num(x)).append(ci(map(fairness.get("ci")).get(k)))
                                    .append(" | ").append(num(vf.get(k))).append(ci(map(vf.get("ci")).get(k))).append(" | ")
                                    .append(num(df.get(k))).append(" | ").append(ci(map(df.get("ci")).get(k))).append(" |\n");
                        }
                    });
                }
            }
            md.append('\n');
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String num(Object o) {
        if (o instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) >= 1 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.4f", d);
        }
        return o == null ? "n/a" : o.toString();
    }

    private static String ci(Object o) {
        if (o instanceof double[] a) {
            return String.format(Locale.ROOT, " [%.4f, %.4f]", a[0], a[1]);
        }
        return "";
    }
}
