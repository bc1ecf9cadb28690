package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.dataset.TabularSource;

import java.util.List;

/** Column look-ups and cell parsing that fail with the column, row and file named. */
final class Columns {

    private Columns() {
    }

    static int require(TabularSource src, String column, String role) {
        int i = src.indexOf(column);
        if (i < 0) {
            String hint = closest(column, src.columns());
            throw new BadInputException(src.description() + " has no " + role + " column '" + column + "'"
                    + (hint == null ? "" : " (did you mean '" + hint + "'?)") + "; columns: " + src.columns());
        }
        return i;
    }

    static double number(String cell, TabularSource src, String column, String role) {
        if (cell == null || cell.isBlank()) {
            throw new BadInputException(src.description() + ": row " + src.rowNumber() + ", " + role + " column '"
                    + column + "' is empty");
        }
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new BadInputException(src.description() + ": row " + src.rowNumber() + ", " + role + " column '"
                    + column + "' is '" + cell + "', not a number");
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new BadInputException(src.description() + ": row " + src.rowNumber() + ", " + role + " column '"
                    + column + "' is " + cell + " (NaN and infinities are not allowed)");
        }
        return v;
    }

    /** The index of a class label, matching text exactly or, for numbers, by value ("1.0" is class "1"). */
    static int classIndex(String cell, List<String> classes, TabularSource src, String column) {
        String s = cell == null ? "" : cell.strip();
        int i = classes.indexOf(s);
        if (i >= 0) {
            return i;
        }
        if (s.isEmpty()) {
            throw new BadInputException(src.description() + ": row " + src.rowNumber() + ", column '" + column
                    + "' is empty");
        }
        try {
            double v = Double.parseDouble(s);
            for (int k = 0; k < classes.size(); k++) {
                try {
                    if (Double.parseDouble(classes.get(k)) == v) {
                        return k;
                    }
                } catch (NumberFormatException ignored) {
                    // a non-numeric class never equals a number
                }
            }
        } catch (NumberFormatException ignored) {
            // not numeric: no match below
        }
        throw new BadInputException(src.description() + ": row " + src.rowNumber() + ", column '" + column
                + "' is '" + s + "', which is not one of the classes " + classes + " (set them with --classes)");
    }

    /** The most similar name within edit distance 3, for "did you mean". */
    static String closest(String name, List<String> candidates) {
        return dev.quantgate.evaluation.dataset.Suggestions.closest(name, candidates);
    }
}
