package dev.quantgate.evaluation.engine;

import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.report.Numbers;

/**
 * A sensitive-attribute column: categorical (each value is a group) or numeric, bucketed by ascending edges
 * into groups named {@code <25}, {@code [25,45)}, {@code >=65}.
 */
public record SensitiveAttribute(String column, double[] edges) {

    public static SensitiveAttribute categorical(String column) {
        return new SensitiveAttribute(column, null);
    }

    public static SensitiveAttribute bucketed(String column, double... edges) {
        for (int i = 1; i < edges.length; i++) {
            if (!(edges[i] > edges[i - 1])) {
                throw new BadInputException("bucket edges of '" + column + "' must be strictly ascending");
            }
        }
        if (edges.length == 0) {
            throw new BadInputException("bucket edges of '" + column + "' are empty");
        }
        return new SensitiveAttribute(column, edges.clone());
    }

    /** The group a cell belongs to. */
    public String group(String cell, long row, String source) {
        if (cell == null || cell.isBlank()) {
            throw new BadInputException(source + ": row " + row + ", sensitive column '" + column
                    + "' is empty (every row needs a group)");
        }
        if (edges == null) {
            return cell.strip();
        }
        double v;
        try {
            v = Double.parseDouble(cell.strip());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (Double.isNaN(v)) {
            throw new BadInputException(source + ": row " + row + ", sensitive column '" + column
                    + "' is '" + cell + "', not a number to bucket");
        }
        if (v < edges[0]) {
            return "<" + Numbers.format(edges[0]);
        }
        for (int i = 1; i < edges.length; i++) {
            if (v < edges[i]) {
                return "[" + Numbers.format(edges[i - 1]) + "," + Numbers.format(edges[i]) + ")";
            }
        }
        return ">=" + Numbers.format(edges[edges.length - 1]);
    }
}
