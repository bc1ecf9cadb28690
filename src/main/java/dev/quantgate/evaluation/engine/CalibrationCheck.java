package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.dataset.Datasets;
import dev.quantgate.evaluation.dataset.TabularSource;
import dev.quantgate.evaluation.result.CalibrationResult;
import dev.quantgate.evaluation.result.Warning;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares each group's share of a quantization calibration set with its share of the evaluation set, and flags
 * groups whose calibration share is smaller by more than a factor (an unrepresentative calibration set is a known
 * source of bias in static quantization).
 */
final class CalibrationCheck {

    private CalibrationCheck() {
    }

    static CalibrationResult run(Path calibration, EvaluationOptions o, Layout layout, List<Warning> warnings) {
        Map<String, Map<String, Long>> calibrationCounts = new TreeMap<>();
        long rows = 0;
        try (TabularSource src = Datasets.open(calibration)) {
            int[] idx = new int[o.sensitive().size()];
            for (int a = 0; a < idx.length; a++) {
                idx[a] = Columns.require(src, o.sensitive().get(a).column(), "sensitive");
            }
            String[] row;
            String[] groups = new String[idx.length];
            while ((row = src.next()) != null) {
                rows++;
                for (int a = 0; a < idx.length; a++) {
                    SensitiveAttribute attr = o.sensitive().get(a);
                    groups[a] = attr.group(row[idx[a]], src.rowNumber(), src.description());
                    calibrationCounts.computeIfAbsent(attr.column(), x -> new TreeMap<>()).merge(groups[a], 1L, Long::sum);
                }
                if (o.intersections() && idx.length >= 2) {
                    String section = String.join("&", o.sensitive().stream().map(SensitiveAttribute::column).toList());
                    calibrationCounts.computeIfAbsent(section, x -> new TreeMap<>()).merge(String.join("&", groups), 1L, Long::sum);
                }
            }
        }
        List<CalibrationResult.Group> out = new ArrayList<>();
        double evalRows = layout.fullCounts[0];
        for (Layout.Section s : layout.sections) {
            Map<String, Long> cal = calibrationCounts.getOrDefault(s.name(), Map.of());
            for (int g = 0; g < s.groups().size(); g++) {
                String name = s.groups().get(g);
                double evalShare = layout.fullCounts[s.offset() + g] / evalRows;
                double calShare = rows == 0 ? 0 : cal.getOrDefault(name, 0L) / (double) rows;
                boolean under = calShare * o.calibrationFactor() < evalShare;
                out.add(new CalibrationResult.Group(s.name(), name, calShare, evalShare, calShare / evalShare, under));
                if (under) {
                    warnings.add(new Warning(Warning.Code.CALIBRATION, "calibration set under-represents " + s.name() + "="
                            + name + ": " + String.format(java.util.Locale.ROOT, "%.4f", calShare) + " of calibration rows vs "
                            + String.format(java.util.Locale.ROOT, "%.4f", evalShare) + " of evaluation rows"));
                }
            }
            for (Map.Entry<String, Long> e : cal.entrySet()) {
                if (!s.groups().contains(e.getKey())) {
                    out.add(new CalibrationResult.Group(s.name(), e.getKey(), e.getValue() / (double) rows, 0.0, Double.NaN, false));
                }
            }
        }
        return new CalibrationResult(calibration.getFileName().toString(), Datasets.sha256(calibration), rows,
                o.calibrationFactor(), out);
    }
}
