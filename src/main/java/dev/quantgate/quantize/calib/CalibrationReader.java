package dev.quantgate.quantize.calib;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.quantize.QuantizationException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads calibration data as JSON Lines: one object per sample mapping each input name to a nested
 * array ({@code [[1.0, 2.0]]}) or to {@code {"dims": [1, 2], "data": [1.0, 2.0]}}. Blank lines are skipped.
 */
public final class CalibrationReader {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CalibrationReader() {
    }

    public static CalibrationData read(Path file) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Map<String, CalibrationData.Sample>> samples = new ArrayList<>();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                samples.add(parseLine(line, lineNo, file));
            }
        } catch (IOException e) {
            throw new QuantizationException("cannot read calibration data " + file + ": " + e.getMessage(), e);
        }
        if (samples.isEmpty()) {
            throw new QuantizationException("calibration data " + file + " has no samples");
        }
        return new CalibrationData(samples, HexFormat.of().formatHex(md.digest()));
    }

    private static Map<String, CalibrationData.Sample> parseLine(String line, int lineNo, Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new QuantizationException("calibration data " + file + " line " + lineNo + " is not JSON: "
                    + e.getOriginalMessage());
        }
        if (!root.isObject()) {
            throw new QuantizationException("calibration data " + file + " line " + lineNo
                    + " is not an object mapping input names to tensors");
        }
        Map<String, CalibrationData.Sample> sample = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = "calibration data " + file + " line " + lineNo + " input '" + e.getKey() + "'";
            sample.put(e.getKey(), tensor(e.getValue(), where));
        }
        return sample;
    }

    static CalibrationData.Sample tensor(JsonNode node, String where) {
        if (node.isObject()) {
            JsonNode dimsNode = node.get("dims");
            JsonNode dataNode = node.get("data");
            if (dimsNode == null || !dimsNode.isArray() || dataNode == null || !dataNode.isArray()) {
                throw new QuantizationException(where + ": an object tensor needs \"dims\" and \"data\" arrays");
            }
            long[] dims = new long[dimsNode.size()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = dimsNode.get(i).asLong();
                count *= dims[i];
            }
            if (count != dataNode.size()) {
                throw new QuantizationException(where + ": dims " + java.util.Arrays.toString(dims) + " need "
                        + count + " values, data has " + dataNode.size());
            }
            double[] values = new double[dataNode.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = number(dataNode.get(i), where);
            }
            return new CalibrationData.Sample(dims, values);
        }
        List<Long> dims = new ArrayList<>();
        JsonNode cur = node;
        while (cur.isArray()) {
            dims.add((long) cur.size());
            if (cur.size() == 0) {
                break;
            }
            cur = cur.get(0);
        }
        List<Double> values = new ArrayList<>();
        flatten(node, 0, dims, values, where);
        return new CalibrationData.Sample(dims.stream().mapToLong(Long::longValue).toArray(),
                values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static void flatten(JsonNode node, int depth, List<Long> dims, List<Double> out, String where) {
        if (depth == dims.size()) {
            out.add(number(node, where));
            return;
        }
        if (!node.isArray() || node.size() != dims.get(depth)) {
            throw new QuantizationException(where + ": ragged nested array (expected " + dims.get(depth)
                    + " entries at depth " + depth + ")");
        }
        for (JsonNode child : node) {
            flatten(child, depth + 1, dims, out, where);
        }
    }

    private static double number(JsonNode n, String where) {
        if (n == null || !n.isNumber()) {
            throw new QuantizationException(where + ": " + n + " is not a number");
        }
        return n.doubleValue();
    }
}
