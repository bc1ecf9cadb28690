package dev.quantgate.evaluation.dataset;

import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.TransientIoException;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streaming RFC 4180 reader: a header row, comma separators, fields optionally in double quotes with
 * {@code ""} for a quote and embedded commas or line breaks; CRLF or LF line endings. Every data row must have
 * as many fields as the header. Memory is bounded by the longest row.
 */
public final class CsvReader implements TabularSource {

    private final Reader in;
    private final String description;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int len;
    private boolean eof;
    private long line = 1;
    private long row;
    private final List<String> columns;
    private String[] cells;
    private final StringBuilder field = new StringBuilder(64);
    private final ArrayList<String> scratch = new ArrayList<>();

    public CsvReader(Reader in, String description) {
        this.in = in;
        this.description = description;
        List<String> header = readRecord() == null ? null : new ArrayList<>(scratch);
        if (header == null) {
            throw new BadInputException(description + ": the file is empty (a header row is required)");
        }
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            if (i == 0 && !name.isEmpty() && name.charAt(0) == '\uFEFF') {
                name = name.substring(1);
                header.set(0, name);
            }
            if (name.isBlank()) {
                throw new BadInputException(description + ": header column " + (i + 1) + " has no name");
            }
            if (header.indexOf(name) != i) {
                throw new BadInputException(description + ": column '" + name + "' appears twice in the header");
            }
        }
        this.columns = List.copyOf(header);
        this.cells = new String[columns.size()];
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    @Override
    public String[] next() {
        long startLine = line;
        List<String> record = readRecord();
        while (record != null && record.size() == 1 && record.get(0).isEmpty()) {
            startLine = line;
            record = readRecord(); // blank lines are skipped
        }
        if (record == null) {
            return null;
        }
        row++;
        if (record.size() != columns.size()) {
            throw new BadInputException(description + ": row " + row + " (line " + startLine + ") has "
                    + record.size() + " fields, the header has " + columns.size());
        }
        return record.toArray(cells);
    }

    @Override
    public long rowNumber() {
        return row;
    }

    @Override
    public String description() {
        return description;
    }

    private int read() {
        if (pos == len) {
            if (eof) {
                return -1;
            }
            try {
                len = in.read(buf, 0, buf.length);
            } catch (IOException e) {
                throw new TransientIoException("cannot read " + description + ": " + e.getMessage(), e);
            }
            pos = 0;
            if (len <= 0) {
                eof = true;
                len = 0;
                return -1;
            }
        }
        return buf[pos++];
    }

    private int peek() {
        int c = read();
        if (c >= 0) {
            pos--;
        }
        return c;
    }

    /** Reads one record into {@code scratch} (reused) and answers it, or null at end of input. */
    private List<String> readRecord() {
        scratch.clear();
        int c = read();
        if (c < 0) {
            return null;
        }
        field.setLength(0);
        boolean quoted = false;
        boolean afterQuote = false;
        long quoteLine = line;
        while (true) {
            if (quoted) {
                if (c < 0) {
                    throw new BadInputException(description + ": a quoted field opened on line " + quoteLine
                            + " is never closed");
                }
                if (c == '"') {
                    if (peek() == '"') {
                        read();
                        field.append('"');
                    } else {
                        quoted = false;
                        afterQuote = true;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append((char) c);
                }
            } else if (c < 0 || c == '\n' || c == '\r') {
                if (c == '\r' && peek() == '\n') {
                    read();
                }
                if (c >= 0) {
                    line++;
                }
                scratch.add(field.toString());
                return scratch;
            } else if (c == ',') {
                scratch.add(field.toString());
                field.setLength(0);
                afterQuote = false;
            } else if (c == '"' && field.length() == 0 && !afterQuote) {
                quoted = true;
                quoteLine = line;
            } else if (afterQuote) {
                throw new BadInputException(description + ": line " + line + ": text after a closing quote in field "
                        + (scratch.size() + 1));
            } else {
                field.append((char) c);
            }
            c = read();
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new TransientIoException("cannot close " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return description + " " + Arrays.toString(columns.toArray());
    }
}
