package dev.quantgate.evaluation.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A flat, ordered vector of figures with their {@link FigureKey}s. Built once with keys; later builds of the same
 * layout (bootstrap resamples, jackknife replicates) replay the same puts in the same order into values only,
 * without allocating keys.
 */
public final class Figures {

    private final List<FigureKey> keys;
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

    public boolean recording() {
        return recording;
    }

    public void put(FigureKey.Part part, FigureKey.Kind kind, int section, int group, String metric, double v) {
        if (recording) {
            add(new FigureKey(part, kind, section, group, metric));
        }
        values[n++] = v;
    }

    /** Puts {@code v} under {@code key} (ignored when replaying). */
    void put(FigureKey key, double v) {
        if (recording) {
            add(key);
        }
        values[n++] = v;
    }

    private void add(FigureKey key) {
        keys.add(key);
        if (n == values.length) {
            values = Arrays.copyOf(values, n * 2);
        }
    }

    /**
     * Puts again the figures put at {@code [from, to)}, as {@code kind} (a section whose groups all have enough rows
     * has the same fairness figures over all groups and over supported groups).
     */
    void repeat(int from, int to, FigureKey.Kind kind) {
        for (int i = from; i < to; i++) {
            FigureKey k = recording ? keys.get(i) : null;
            put(k == null ? null : new FigureKey(k.part(), kind, k.section(), k.group(), k.metric()), values[i]);
        }
    }

    public int size() {
        return n;
    }

    public List<FigureKey> keys() {
        return keys;
    }

    public FigureKey key(int i) {
        return keys.get(i);
    }

    public double value(int i) {
        return values[i];
    }

    public double[] values() {
        return Arrays.copyOf(values, n);
    }
}
