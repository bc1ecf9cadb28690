package dev.quantgate.evaluation.result;

import java.util.List;

/** The evaluation dataset: file name, SHA-256, rows and the columns the evaluation used (never rows or values). */
public record DatasetInfo(String file, String sha256, long rows, String label, List<String> classes,
                          List<String> sensitive, int features, String weight) {

    public DatasetInfo {
        classes = classes == null ? null : List.copyOf(classes);
        sensitive = List.copyOf(sensitive);
    }
}
