package dev.quantgate.evaluation.dataset;

import java.io.Closeable;
import java.util.List;

/** A stream of rows with named columns, read one row at a time (never loaded whole). */
public interface TabularSource extends Closeable {

    /** Column names, in file order. */
    List<String> columns();

    /**
     * The next row's cells, aligned with {@link #columns()}, or {@code null} at the end. The array may be reused
     * by the next call.
     */
    String[] next();

    /** 1-based number of the last row returned (the header is not a row). */
    long rowNumber();

    /** Where rows come from, for messages. */
    String description();

    @Override
    void close();

    /** Index of a column, or -1. */
    default int indexOf(String column) {
        return columns().indexOf(column);
    }
}
