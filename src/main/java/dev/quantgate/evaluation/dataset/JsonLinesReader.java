package dev.quantgate.evaluation.dataset;


import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.TransientIoException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Streaming JSON Lines reader: one JSON object per line; the first object's keys are the columns, and every
 * later object must have them (extra keys are ignored). Scalars become their text; {@code null} becomes an empty
 * cell, which the engine refuses where a value is needed.
 */
public final class JsonLinesReader implements TabularSource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader in;
    private final String description;
    private final List<String> columns;
    private final String[] cells;
    private JsonNode pending;
    private long row;
    private long line;

    public JsonLinesReader(Reader reader, String description) {
        this.in = reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
        this.description = description;
        this.pending = readObject();
        if (pending == null) {
            throw new BadInputException(description + ": the file holds no JSON object");
        }
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = pending.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        this.columns = List.copyOf(names);
        this.cells = new String[columns.size()];
    }

    private JsonNode readObject() {
        try {
            String text;
            while ((text = in.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new BadInputException(description + ": line " + line + " is not valid JSON: "
                            + e.getOriginalMessage());
                }
                if (!node.isObject()) {
                    throw new BadInputException(description + ": line " + line + " is not a JSON object");
                }
                return node;
            }
            return null;
        } catch (IOException e) {
            throw new TransientIoException("cannot read " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    @Override
    public String[] next() {
        JsonNode node = pending != null ? pending : readObject();
        pending = null;
        if (node == null) {
            return null;
        }
        row++;
        for (int i = 0; i < cells.length; i++) {
            JsonNode v = node.get(columns.get(i));
            if (v == null) {
                throw new BadInputException(description + ": row " + row + " (line " + line + ") has no '"
                        + columns.get(i) + "'");
            }
            if (v.isContainerNode()) {
                throw new BadInputException(description + ": row " + row + ", column '" + columns.get(i)
                        + "' holds " + (v.isArray() ? "an array" : "an object") + ", not a single value");
            }
            cells[i] = v.isNull() ? "" : v.asText();
        }
        return cells;
    }

    @Override
    public long rowNumber() {
        return row;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new TransientIoException("cannot close " + description + ": " + e.getMessage(), e);
        }
    }
}
