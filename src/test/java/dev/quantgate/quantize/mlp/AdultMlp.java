package dev.quantgate.quantize.mlp;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.TinyModels;
import dev.quantgate.quantize.onnx.Tensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A one-hidden-layer MLP trained in plain Java (Adam, mini-batches) on UCI Adult from the shared
 * datasets folder, exported to ONNX: {@code x -> MatMul -> Add -> Relu -> MatMul -> Add -> logit}.
 * Numeric columns are standardised (capital gain/loss after log1p), categorical ones one-hot
 * encoded with the train split's vocabulary ({@code ?} is a category of its own).
 */
public final class AdultMlp {

    private static final int TRAIN_ROWS = 32_561;
    private static final int[] NUMERIC = {0, 2, 4, 10, 11, 12};
    private static final int[] CATEGORICAL = {1, 3, 5, 6, 7, 8, 9, 13};
    static final int HIDDEN = 32;

    final float[][] trainX;
    final int[] trainY;
    final float[][] testX;
    final int[] testY;
    final int features;
    float[] w1;
    float[] b1;
    float[] w2;
    float[] b2;

    private AdultMlp(List<String[]> rows) {
        List<String[]> train = rows.subList(0, TRAIN_ROWS);
        double[] mean = new double[NUMERIC.length];
        double[] std = new double[NUMERIC.length];
        for (int j = 0; j < NUMERIC.length; j++) {
            double s = 0;
            double s2 = 0;
            for (String[] r : train) {
                double v = numeric(r, NUMERIC[j]);
                s += v;
                s2 += v * v;
            }
            mean[j] = s / train.size();
            std[j] = Math.sqrt(Math.max(1e-12, s2 / train.size() - mean[j] * mean[j]));
        }
        List<Map<String, Integer>> vocab = new ArrayList<>();
        int f = NUMERIC.length;
        for (int c : CATEGORICAL) {
            Map<String, Integer> v = new LinkedHashMap<>();
            for (String[] r : train) {
                if (!v.containsKey(r[c])) {
                    v.put(r[c], f++);
                }
            }
            vocab.add(v);
        }
        features = f;
        trainX = new float[TRAIN_ROWS][];
        trainY = new int[TRAIN_ROWS];
        testX = new float[rows.size() - TRAIN_ROWS][];
        testY = new int[rows.size() - TRAIN_ROWS];
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            float[] x = new float[features];
            for (int j = 0; j < NUMERIC.length; j++) {
                x[j] = (float) ((numeric(r, NUMERIC[j]) - mean[j]) / std[j]);
            }
            for (int k = 0; k < CATEGORICAL.length; k++) {
                Integer idx = vocab.get(k).get(r[CATEGORICAL[k]]);
                if (idx != null) {
                    x[idx] = 1f;
                }
            }
            int y = r[14].equals(">50K") ? 1 : 0;
            if (i < TRAIN_ROWS) {
                trainX[i] = x;
                trainY[i] = y;
            } else {
                testX[i - TRAIN_ROWS] = x;
                testY[i - TRAIN_ROWS] = y;
            }
        }
    }

    private static double numeric(String[] r, int col) {
        double v = Double.parseDouble(r[col]);
        return col == 10 || col == 11 ? Math.log1p(v) : v;
    }

    public static AdultMlp load(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                rows.add(line.split(",", -1));
            }
        }
        return new AdultMlp(rows);
    }

    /** The number of encoded features (numeric columns, then one-hot categories). */
    public int features() {
        return features;
    }

    /** Encoded rows of the UCI test split (after the first 32,561 rows of the file), in file order. */
    /** The encoded rows of the train split (the first 32,561 of the file). */
    public float[][] trainRows() {
        return trainX;
    }

    public int[] trainLabels() {
        return trainY;
    }

    public float[][] testRows() {
        return testX;
    }

    public int[] testLabels() {
        return testY;
    }

    /** Trains with Adam on binary cross-entropy. */
    public void train(int epochs, long seed) {
        Random rnd = new Random(seed);
        int f = features;
        w1 = TinyModels.random(rnd, f * HIDDEN, Math.sqrt(2.0 / f));
        b1 = new float[HIDDEN];
        w2 = TinyModels.random(rnd, HIDDEN, Math.sqrt(1.0 / HIDDEN));
        b2 = new float[1];
        Adam a1 = new Adam(w1.length);
        Adam ab1 = new Adam(HIDDEN);
        Adam a2 = new Adam(HIDDEN);
        Adam ab2 = new Adam(1);
        int batch = 64;
        int[] order = new int[TRAIN_ROWS];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        float[] gw1 = new float[w1.length];
        float[] gb1 = new float[HIDDEN];
        float[] gw2 = new float[HIDDEN];
        float[] gb2 = new float[1];
        float[] h = new float[HIDDEN];
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < order.length; start += batch) {
                java.util.Arrays.fill(gw1, 0);
                java.util.Arrays.fill(gb1, 0);
                java.util.Arrays.fill(gw2, 0);
                gb2[0] = 0;
                int end = Math.min(order.length, start + batch);
                for (int s = start; s < end; s++) {
                    float[] x = trainX[order[s]];
                    double logit = forward(x, h);
                    double p = 1 / (1 + Math.exp(-logit));
                    float d = (float) ((p - trainY[order[s]]) / (end - start));
                    gb2[0] += d;
                    for (int k = 0; k < HIDDEN; k++) {
                        gw2[k] += d * h[k];
                        if (h[k] > 0) {
                            float dh = d * w2[k];
                            gb1[k] += dh;
                            for (int i = 0; i < f; i++) {
                                if (x[i] != 0) {
                                    gw1[i * HIDDEN + k] += dh * x[i];
                                }
                            }
                        }
                    }
                }
                a1.step(w1, gw1);
                ab1.step(b1, gb1);
                a2.step(w2, gw2);
                ab2.step(b2, gb2);
            }
        }
    }

    private double forward(float[] x, float[] h) {
        for (int k = 0; k < HIDDEN; k++) {
            double s = b1[k];
            for (int i = 0; i < features; i++) {
                if (x[i] != 0) {
                    s += x[i] * w1[i * HIDDEN + k];
                }
            }
            h[k] = (float) Math.max(0, s);
        }
        double logit = b2[0];
        for (int k = 0; k < HIDDEN; k++) {
            logit += h[k] * w2[k];
        }
        return logit;
    }

    public ModelProto toOnnx() {
        GraphProto g = GraphProto.newBuilder().setName("adult_mlp")
                .addInput(TinyModels.input("x", TensorProto.DataType.FLOAT_VALUE, -1, features))
                .addOutput(TinyModels.input("logit", TensorProto.DataType.FLOAT_VALUE, -1, 1))
                .addInitializer(Tensors.ofFloats("W1", new long[] {features, HIDDEN}, w1))
                .addInitializer(Tensors.ofFloats("b1", new long[] {HIDDEN}, b1))
                .addInitializer(Tensors.ofFloats("W2", new long[] {HIDDEN, 1}, w2))
                .addInitializer(Tensors.ofFloats("b2", new long[] {1}, b2))
                .addNode(TinyModels.node("MatMul", "hidden", List.of("x", "W1"), "h"))
                .addNode(TinyModels.node("Add", "hidden_bias", List.of("h", "b1"), "hb"))
                .addNode(TinyModels.node("Relu", "relu", List.of("hb"), "a"))
                .addNode(TinyModels.node("MatMul", "output", List.of("a", "W2"), "o"))
                .addNode(TinyModels.node("Add", "output_bias", List.of("o", "b2"), "logit"))
                .build();
        return TinyModels.model(g, 13);
    }

    /** Flattens rows {@code [from, to)} of a split into one {@code [n, features]} buffer. */
    static float[] flatten(float[][] rows, int from, int to) {
        int f = rows[0].length;
        float[] out = new float[(to - from) * f];
        for (int i = from; i < to; i++) {
            System.arraycopy(rows[i], 0, out, (i - from) * f, f);
        }
        return out;
    }

    /** Adam with the usual defaults (lr 1e-3 scaled up a little for this small net). */
    private static final class Adam {
        private final float[] m;
        private final float[] v;
        private int t;

        Adam(int n) {
            m = new float[n];
            v = new float[n];
        }

        void step(float[] w, float[] g) {
            t++;
            double lr = 2e-3;
            double b1 = 0.9;
            double b2 = 0.999;
            double c1 = 1 - Math.pow(b1, t);
            double c2 = 1 - Math.pow(b2, t);
            for (int i = 0; i < w.length; i++) {
                m[i] = (float) (b1 * m[i] + (1 - b1) * g[i]);
                v[i] = (float) (b2 * v[i] + (1 - b2) * g[i] * g[i]);
                w[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8));
            }
        }
    }
}
