package dev.quantgate.evaluation;

import dev.quantgate.evaluation.dataset.CsvReader;
import dev.quantgate.evaluation.dataset.JsonLinesReader;
import dev.quantgate.evaluation.dataset.ModelSignature;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.io.StringReader;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetReadersTest {

    @Test
    void shouldReadQuotedFieldsWithCommasQuotesAndLineBreaks() {
        String csv = "id,text,n\r\n1,\"a, b\",2\r\n2,\"say \"\"hi\"\"\",3\n3,\"two\nlines\",4\n4,,5\n";
        try (CsvReader r = new CsvReader(new StringReader(csv), "t.csv")) {
            assertEquals(List.of("id", "text", "n"), r.columns());
            assertArrayEquals(new String[]{"1", "a, b", "2"}, r.next().clone());
            assertArrayEquals(new String[]{"2", "say \"hi\"", "3"}, r.next().clone());
            assertArrayEquals(new String[]{"3", "two\nlines", "4"}, r.next().clone());
            assertArrayEquals(new String[]{"4", "", "5"}, r.next().clone());
            assertNull(r.next());
            assertEquals(4, r.rowNumber());
        }
    }

    @Test
    void shouldStripAByteOrderMarkAndSkipBlankLines() {
        try (CsvReader r = new CsvReader(new StringReader("\uFEFFa,b\n1,2\n\n3,4"), "t.csv")) {
            assertEquals(List.of("a", "b"), r.columns());
            assertEquals("1", r.next()[0]);
            assertEquals("3", r.next()[0]);
            assertNull(r.next());
        }
    }

    @Test
    void shouldNameTheRowAndLineOfARowWithTheWrongNumberOfFields() {
        try (CsvReader r = new CsvReader(new StringReader("a,b\n1,2\n3\n"), "t.csv")) {
            r.next();
            BadInputException e = assertThrows(BadInputException.class, r::next);
            assertEquals("t.csv: row 2 (line 3) has 1 fields, the header has 2", e.getMessage());
        }
    }

    @Test
    void shouldRefuseAnUnclosedQuoteAndDuplicateHeaders() {
        try (CsvReader r = new CsvReader(new StringReader("a,b\n1,\"2\n3,4\n"), "t.csv")) {
            BadInputException e = assertThrows(BadInputException.class, r::next);
            assertTrue(e.getMessage().contains("opened on line 2 is never closed"), e.getMessage());
        }
        BadInputException dup = assertThrows(BadInputException.class, () -> new CsvReader(new StringReader("a,a\n1,2\n"), "t.csv"));
        assertTrue(dup.getMessage().contains("column 'a' appears twice"), dup.getMessage());
        assertThrows(BadInputException.class, () -> new CsvReader(new StringReader(""), "empty.csv"));
    }

    @Test
    void shouldStreamRowsWithoutReadingTheWholeFile() {
        CountingReader source = new CountingReader(2_000_000);
        try (CsvReader r = new CsvReader(source, "generated.csv")) {
            r.next();
            assertTrue(source.served < 200_000, "read " + source.served + " chars for one row");
            int rows = 1;
            while (r.next() != null) {
                rows++;
            }
            assertEquals(2_000_000, rows);
        }
    }

    @Test
    void shouldReadJsonLinesAndNameAMissingKey() {
        String jsonl = "{\"x\": 1.5, \"sex\": \"F\", \"y\": 1}\n\n{\"x\": 2, \"sex\": \"M\", \"y\": 0, \"extra\": true}\n{\"x\": 3, \"y\": 1}\n";
        try (JsonLinesReader r = new JsonLinesReader(new StringReader(jsonl), "d.jsonl")) {
            assertEquals(List.of("x", "sex", "y"), r.columns());
            assertEquals(List.of("1.5", "F", "1"), Arrays.asList(r.next().clone()));
            assertEquals(List.of("2", "M", "0"), Arrays.asList(r.next().clone()));
            BadInputException e = assertThrows(BadInputException.class, r::next);
            assertEquals("d.jsonl: row 3 (line 4) has no 'sex'", e.getMessage());
        }
        try (JsonLinesReader r = new JsonLinesReader(new StringReader("{\"a\":1}\n[1,2]\n"), "d.jsonl")) {
            r.next();
            assertTrue(assertThrows(BadInputException.class, r::next).getMessage().contains("line 2 is not a JSON object"));
        }
    }

    @Test
    void shouldParseColumnAndTensorSignaturesFromAnMlmodelFile() {
        String columns = """
                artifact_path: model
                flavors:
                  onnx:
                    data: model.onnx
                    onnx_version: 1.17.0
                  python_function:
                    loader_module: mlflow.onnx
                mlflow_version: 3.5.1
                signature:
                  inputs: '[{"type": "double", "name": "age", "required": true}, {"type": "double", "name":
                    "hours-per-week", "required": true}, {"type": "string", "name": "it''s", "required": true}]'
                  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]}}]'
                  params: null
                """;
        ModelSignature s = ModelSignature.parse(columns, "MLmodel");
        assertTrue(s.columnBased());
        assertEquals(List.of("age", "hours-per-week", "it's"), s.columnNames());
        assertEquals("model.onnx", s.onnxFile().orElseThrow());

        String tensor = "signature:\n  inputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 14]}, \"name\": \"input\"}]'\n";
        ModelSignature t = ModelSignature.parse(tensor, "MLmodel");
        assertFalse(t.columnBased());
        assertEquals(14, t.inputs().get(0).shape()[1]);
        assertEquals("float32", t.inputs().get(0).dtype());

        BadInputException e = assertThrows(BadInputException.class, () -> ModelSignature.parse("flavors:\n  onnx: {}\n", "MLmodel"));
        assertTrue(e.getMessage().contains("no signature.inputs"), e.getMessage());
    }

    /** Generates "x,y\n" then n rows on demand, counting the characters served. */
    private static final class CountingReader extends Reader {
        private final int rows;
        private int row = -1;
        private String pending = "";
        private int pos;
        long served;

        CountingReader(int rows) {
            this.rows = rows;
        }

        @Override
        public int read(char[] cbuf, int off, int len) {
            if (pos == pending.length()) {
                if (row >= rows) {
                    return -1;
                }
                pending = row < 0 ? "x,y\n" : row + "," + (row * 7 % 13) + "\n";
                row++;
                pos = 0;
            }
            int n = Math.min(len, pending.length() - pos);
            pending.getChars(pos, pos + n, cbuf, off);
            pos += n;
            served += n;
            return n;
        }

        @Override
        public void close() {
        }
    }
}
