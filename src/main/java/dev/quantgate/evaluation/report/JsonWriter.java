package dev.quantgate.evaluation.report;

import dev.quantgate.kernel.json.Jcs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reports as RFC 8785 canonical JSON (the one canonical form of everything QuantGate hashes, {@link Jcs}), so
 * an auditor re-hashes a report with any JCS library. A figure that is undefined (NaN, e.g. a rate over no rows)
 * or infinite is written as {@code null}: reports say "undefined" that way, where JCS itself refuses such numbers.
 * Accepts maps, lists, arrays of doubles, strings, numbers, booleans and null.
 */
public final class JsonWriter {

    private JsonWriter() {
    }

    public static String write(Object value) {
        return Jcs.write(undefinedAsNull(value));
    }

    private static Object undefinedAsNull(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isNaN(d) || Double.isInfinite(d) ? null : v;
        }
        if (v instanceof double[] a) {
            List<Object> out = new ArrayList<>(a.length);
            for (double d : a) {
                out.add(undefinedAsNull(d));
            }
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put(String.valueOf(k), undefinedAsNull(x)));
            return out;
        }
        if (v instanceof Iterable<?> items) {
            List<Object> out = new ArrayList<>();
            items.forEach(x -> out.add(undefinedAsNull(x)));
            return out;
        }
        return v;
    }
}
