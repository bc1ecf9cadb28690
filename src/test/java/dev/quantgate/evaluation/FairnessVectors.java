package dev.quantgate.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.metrics.DisparityMethod;
import dev.quantgate.evaluation.metrics.FairnessMetrics;
import dev.quantgate.evaluation.metrics.Rates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared fairness test vectors, and a check of a report against every expected value in one. */
final class FairnessVectors {

    /** The issue asks for 1e-9; every value matches to 1e-12. */
    static final double TOLERANCE = 1e-12;
    private static final ObjectMapper JSON = new ObjectMapper();

    private FairnessVectors() {
    }

    static Path sharedDir() {
        return Path.of(System.getProperty("quantgate.shared.dir", "../shared"));
    }

    static List<JsonNode> vectors() {
        try {
            JsonNode root = JSON.readTree(sharedDir().resolve("fairness-vectors/vectors.json").toFile());
            List<JsonNode> out = new ArrayList<>();
            root.get("vectors").forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> attributes(JsonNode v) {
        List<String> names = new ArrayList<>();
        v.get("sensitive_features").fieldNames().forEachRemaining(names::add);
        return names;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static String value(JsonNode v, String attribute, int row) {
        return v.get("sensitive_features").get(attribute).get(row).asText();
    }

    /** "yes" for a row matching every pair of the AIF360 privileged group. */
    static boolean privileged(JsonNode v, int row) {
        JsonNode p = v.get("aif360").get("privileged_group");
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!value(v, e.getKey(), row).equals(e.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    /** Report section names: "sex|race" in the vectors is "sex&race" in reports, groups "F|c" are "F&c". */
    static String reportName(String vectorName) {
        return vectorName.replace('|', '&');
    }

    /**
     * Compares every expected value of a vector with the reports: {@code between} and {@code toOverall} were made
     * with the two Fairlearn methods, {@code split} with the privileged indicator as the only attribute.
     * Answers the number of values compared.
     */
    static int check(JsonNode v, JsonNode between, JsonNode toOverall, JsonNode split, String model) {
        String name = v.get("name").asText();
        JsonNode expected = v.get("expected");
        int compared = 0;
        // overall
        compared += compareObject(name + " overall", expected.get("overall"), between.at("/" + model + "/overall"));
        // by group
        for (Iterator<Map.Entry<String, JsonNode>> s = expected.get("by_group").fields(); s.hasNext(); ) {
            Map.Entry<String, JsonNode> section = s.next();
            for (Iterator<Map.Entry<String, JsonNode>> g = section.getValue().fields(); g.hasNext(); ) {
                Map.Entry<String, JsonNode> group = g.next();
                JsonNode actual = between.get(model).get("by_attribute").get(reportName(section.getKey()))
                        .get("groups").get(reportName(group.getKey()));
                compared += compareObject(name + " " + section.getKey() + "/" + group.getKey(), group.getValue(), actual);
            }
        }
        // Fairlearn disparities, both methods
        for (Iterator<Map.Entry<String, JsonNode>> s = expected.get("fairlearn").fields(); s.hasNext(); ) {
            Map.Entry<String, JsonNode> section = s.next();
            for (Iterator<Map.Entry<String, JsonNode>> m = section.getValue().fields(); m.hasNext(); ) {
                Map.Entry<String, JsonNode> metric = m.next();
                for (String method : List.of("between_groups", "to_overall")) {
                    JsonNode report = method.equals("between_groups") ? between : toOverall;
                    JsonNode fairness = report.get(model).get("by_attribute").get(reportName(section.getKey())).get("fairness");
                    JsonNode want = metric.getValue().get(method);
                    String where = name + " " + section.getKey() + " " + metric.getKey() + " " + method;
                    if (want.isObject()) {
                        compared += close(where + " worst_case", want.get("worst_case").asDouble(), fairness.get(metric.getKey()));
                        double mean = metric.getKey().startsWith("equalized_odds_difference")
                                ? (fairness.get("true_positive_rate_difference").asDouble() + fairness.get("false_positive_rate_difference").asDouble()) / 2
                                : (fairness.get("true_positive_rate_ratio").asDouble() + fairness.get("false_positive_rate_ratio").asDouble()) / 2;
                        assertEquals(want.get("mean").asDouble(), mean, TOLERANCE, where + " mean");
                        compared++;
                    } else {
                        compared += close(where, want.asDouble(), fairness.get(metric.getKey()));
                    }
                }
            }
        }
        // the AIF360 split's two sides, as the groups of the privileged-indicator attribute
        compared += compareObject(name + " privileged", expected.at("/binary_split/privileged"),
                split.at("/" + model + "/by_attribute/privileged/groups/yes"));
        compared += compareObject(name + " unprivileged", expected.at("/binary_split/unprivileged"),
                split.at("/" + model + "/by_attribute/privileged/groups/no"));
        // AIF360 and Clarify, on the section whose attributes the privileged group names
        List<String> privAttrs = new ArrayList<>();
        v.get("aif360").get("privileged_group").fieldNames().forEachRemaining(privAttrs::add);
        String section = String.join("&", privAttrs);
        JsonNode fairness = between.get(model).get("by_attribute").get(section).get("fairness");
        compared += compareObject(name + " aif360", expected.get("aif360"), fairness.get("aif360"));
        compared += compareObject(name + " clarify", expected.get("clarify"), fairness.get("clarify"));
        return compared;
    }

    private static int compareObject(String where, JsonNode expected, JsonNode actual) {
        assertNotNull(actual, where + ": missing in the report");
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            n += close(where + " " + e.getKey(), e.getValue().asDouble(), actual.get(e.getKey()));
        }
        return n;
    }

    private static int close(String where, double expected, JsonNode actual) {
        assertNotNull(actual, where + ": missing in the report");
        assertTrue(actual.isNumber(), where + ": not a number: " + actual);
        assertEquals(expected, actual.asDouble(), TOLERANCE, where);
        return 1;
    }

    static int countLeaves(JsonNode n) {
        if (n.isObject()) {
            int c = 0;
            for (JsonNode x : n) {
                c += countLeaves(x);
            }
            return c;
        }
        return n.isNumber() ? 1 : 0;
    }

    /** Every expected float equals its exact rational to 1e-12 (the vectors are self-consistent). */
    static int checkExact(JsonNode floats, JsonNode exact, String where) {
        int n = 0;
        if (exact.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = exact.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                n += checkExact(floats.get(e.getKey()), e.getValue(), where + "/" + e.getKey());
            }
            return n;
        }
        if (exact.isTextual() && exact.asText().contains("/")) {
            String[] pq = exact.asText().split("/");
            double q = new BigDecimal(pq[0]).divide(new BigDecimal(pq[1]), MathContext.DECIMAL128).doubleValue();
            assertEquals(q, floats.asDouble(), 1e-12, where);
            return 1;
        }
        return 0;
    }

    /** Per-group Rates counted straight from the vector's rows, for the API-level aggregation checks. */
    static Map<String, Rates> countedRates(JsonNode v, String attribute) {
        int[] y = ints(v.get("y_true"));
        int[] p = ints(v.get("y_pred"));
        Map<String, double[]> counts = new TreeMap<>();
        for (int r = 0; r < y.length; r++) {
            counts.computeIfAbsent(value(v, attribute, r), k -> new double[4])[y[r] * 2 + p[r]]++;
        }
        Map<String, Rates> out = new TreeMap<>();
        counts.forEach((g, c) -> out.put(g, new Rates(c[0], c[1], c[2], c[3])));
        return out;
    }

    static FairnessMetrics fairness(JsonNode v, String attribute, DisparityMethod method) {
        Rates overall = Rates.count(ints(v.get("y_true")), ints(v.get("y_pred")));
        return new FairnessMetrics(new ArrayList<>(countedRates(v, attribute).values()), overall, method);
    }
}
