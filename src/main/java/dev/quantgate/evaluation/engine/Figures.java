package dev.quantgate.evaluation.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A flat, ordered list of named figures. A key is a path whose segments are joined by {@link #SEP}
 * ({@code source␟by_attribute␟sex␟groups␟Female␟accuracy}). Built once with keys; later builds of the same layout
 * (bootstrap iterations) replay into values only, without building key strings.
 */
public final class Figures {

    /** Separates path segments (ASCII unit separator: never part of a column or group name in practice). */
    public static final char SEP = '\u001f';

    private final List<String> keys;
    private final boolean recording;
    private double[] values;
    private int n;

    /** Records keys and values. */
    public Figures() {
        this.keys = new ArrayList<>();
        this.recording = true;
        this.values = new double[256];
    }

    /** Replays a recorded layout: same puts in the same order, values only. */
    public Figures(Figures layout, double[] into) {
        this.keys = layout.keys;
        this.recording = false;
        this.values = into;
    }

    public void put(String prefix, String name, double v) {
        if (recording) {
            keys.add(prefix + SEP + name);
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
        }
        values[n++] = v;
    }

    public int size() {
        return n;
    }

    public List<String> keys() {
        return keys;
    }

    public String key(int i) {
        return keys.get(i);
    }

    public double value(int i) {
        return values[i];
    }

    public double[] values() {
        return Arrays.copyOf(values, n);
    }

    public static String path(String... segments) {
        return String.join(String.valueOf(SEP), segments);
    }
}
