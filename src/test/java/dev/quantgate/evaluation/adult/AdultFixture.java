package dev.quantgate.evaluation.adult;

import ai.onnx.proto.OnnxMl;
import dev.quantgate.evaluation.dataset.CsvReader;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * UCI Adult, encoded into a few numeric features, a logistic regression trained on the UCI train split in plain
 * Java, exported as an ONNX graph (standardise, MatMul, Add, Sigmoid, two class probabilities), and a variant
 * whose weights are deliberately coarsened (rounded to 4 bits) so that some predictions change.
 */
public final class AdultFixture {

    public static final List<String> FEATURES = List.of("age", "education_num", "capital_gain_log", "capital_loss_log",
            "hours_per_week", "is_male", "is_white", "married", "husband_or_wife", "exec_or_prof", "self_employed",
            "us_born");
    public static final int TRAIN_ROWS = 32_561;

    /** Encoded data: features per row, label (1 = >50K), sex and race. */
    public record Encoded(double[][] x, int[] y, String[] sex, String[] race) {
    }

    /** The logistic regression: standardisation, then weights and bias. */
    public record Model(double[] mean, double[] std, double[] w, double b) {

        public double probability(double[] x) {
            double z = b;
            for (int j = 0; j < w.length; j++) {
                z += w[j] * ((x[j] - mean[j]) / std[j]);
            }
            return 1 / (1 + Math.exp(-z));
        }

        /** The same model with weights rounded to 4-bit symmetric levels (a deliberately coarse "quantization"). */
        public Model coarsened() {
            double max = 0;
            for (double v : w) {
                max = Math.max(max, Math.abs(v));
            }
            double scale = max / 7;
            double[] q = new double[w.length];
            for (int j = 0; j < w.length; j++) {
                q[j] = Math.rint(w[j] / scale) * scale;
            }
            return new Model(mean, std, q, b);
        }
    }

    /** Files made for an evaluation. */
    public record Files3(Path data, Path source, Path variant, Model sourceModel, Model variantModel, Encoded encoded) {
    }

    private AdultFixture() {
    }

    public static Path adultCsv() {
        return Path.of(System.getProperty("quantgate.shared.dir", "../shared")).resolve("datasets/adult/adult.csv");
    }

    public static Encoded encode(Path adult) {
        List<double[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        List<String> sex = new ArrayList<>();
        List<String> race = new ArrayList<>();
        try (CsvReader in = new CsvReader(java.nio.file.Files.newBufferedReader(adult, StandardCharsets.UTF_8), "adult.csv")) {
            int age = in.indexOf("age");
            int edu = in.indexOf("education-num");
            int gain = in.indexOf("capital-gain");
            int loss = in.indexOf("capital-loss");
            int hours = in.indexOf("hours-per-week");
            int sexI = in.indexOf("sex");
            int raceI = in.indexOf("race");
            int marital = in.indexOf("marital-status");
            int rel = in.indexOf("relationship");
            int occ = in.indexOf("occupation");
            int work = in.indexOf("workclass");
            int country = in.indexOf("native-country");
            int income = in.indexOf("income");
            String[] r;
            while ((r = in.next()) != null) {
                x.add(new double[]{
                        Double.parseDouble(r[age]), Double.parseDouble(r[edu]),
                        Math.log1p(Double.parseDouble(r[gain])), Math.log1p(Double.parseDouble(r[loss])),
                        Double.parseDouble(r[hours]), r[sexI].equals("Male") ? 1 : 0, r[raceI].equals("White") ? 1 : 0,
                        r[marital].startsWith("Married-civ") || r[marital].equals("Married-AF-spouse") ? 1 : 0,
                        r[rel].equals("Husband") || r[rel].equals("Wife") ? 1 : 0,
                        r[occ].equals("Exec-managerial") || r[occ].equals("Prof-specialty") ? 1 : 0,
                        r[work].startsWith("Self-emp") ? 1 : 0, r[country].equals("United-States") ? 1 : 0});
                y.add(r[income].equals(">50K") ? 1 : 0);
                sex.add(r[sexI]);
                race.add(r[raceI]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Encoded(x.toArray(new double[0][]), y.stream().mapToInt(Integer::intValue).toArray(),
                sex.toArray(new String[0]), race.toArray(new String[0]));
    }

    /** Full-batch gradient descent on standardised features of the first {@code rows} rows. */
    public static Model train(Encoded e, int rows, int iterations, double rate) {
        int f = e.x()[0].length;
        double[] mean = new double[f];
        double[] std = new double[f];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < f; j++) {
                mean[j] += e.x()[i][j] / rows;
            }
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < f; j++) {
                double d = e.x()[i][j] - mean[j];
                std[j] += d * d / rows;
            }
        }
        for (int j = 0; j < f; j++) {
            std[j] = Math.sqrt(std[j]) + 1e-9;
        }
        double[] w = new double[f];
        double b = 0;
        double[] z = new double[f];
        for (int it = 0; it < iterations; it++) {
            double[] gw = new double[f];
            double gb = 0;
            for (int i = 0; i < rows; i++) {
                double s = b;
                for (int j = 0; j < f; j++) {
                    z[j] = (e.x()[i][j] - mean[j]) / std[j];
                    s += w[j] * z[j];
                }
                double err = 1 / (1 + Math.exp(-s)) - e.y()[i];
                for (int j = 0; j < f; j++) {
                    gw[j] += err * z[j];
                }
                gb += err;
            }
            for (int j = 0; j < f; j++) {
                w[j] -= rate * gw[j] / rows;
            }
            b -= rate * gb / rows;
        }
        return new Model(mean, std, w, b);
    }

    /** Writes the model as ONNX: input "features" [N, F], output "probabilities" [N, 2]. */
    public static void writeOnnx(Model m, Path file) {
        int f = m.w().length;
        float[] mean = new float[f];
        float[] std = new float[f];
        float[] w = new float[f];
        for (int j = 0; j < f; j++) {
            mean[j] = (float) m.mean()[j];
            std[j] = (float) m.std()[j];
            w[j] = (float) m.w()[j];
        }
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("adult_logistic_regression")
                .addInput(OnnxGraphs.batchOf("features", f))
                .addOutput(OnnxGraphs.batchOf("probabilities", 2))
                .addInitializer(OnnxGraphs.floats("mean", mean, f))
                .addInitializer(OnnxGraphs.floats("std", std, f))
                .addInitializer(OnnxGraphs.floats("w", w, f, 1))
                .addInitializer(OnnxGraphs.floats("b", new float[]{(float) m.b()}, 1))
                .addInitializer(OnnxGraphs.floats("one", new float[]{1f}, 1))
                .addNode(OnnxGraphs.node("Sub", "centre", new String[]{"features", "mean"}, "centred"))
                .addNode(OnnxGraphs.node("Div", "scale", new String[]{"centred", "std"}, "z"))
                .addNode(OnnxGraphs.node("MatMul", "dot", new String[]{"z", "w"}, "zw"))
                .addNode(OnnxGraphs.node("Add", "bias", new String[]{"zw", "b"}, "logit"))
                .addNode(OnnxGraphs.node("Sigmoid", "sigmoid", new String[]{"logit"}, "p1"))
                .addNode(OnnxGraphs.node("Sub", "complement", new String[]{"one", "p1"}, "p0"))
                .addNode(OnnxGraphs.node("Concat", "stack", new String[]{"p0", "p1"}, "probabilities").toBuilder()
                        .addAttribute(OnnxGraphs.intAttribute("axis", 1)).build())
                .build();
        OnnxGraphs.write(graph, file);
    }

    /** Writes rows [from, to) as CSV: the encoded features, then sex, race and income. */
    public static void writeCsv(Encoded e, int from, int to, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                out.write(String.join(",", FEATURES) + ",sex,race,income\n");
                StringBuilder line = new StringBuilder();
                for (int i = from; i < to; i++) {
                    line.setLength(0);
                    for (double v : e.x()[i]) {
                        line.append(v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.6f", v)).append(',');
                    }
                    line.append(e.sex()[i]).append(',').append(e.race()[i]).append(',')
                            .append(e.y()[i] == 1 ? ">50K" : "<=50K").append('\n');
                    out.write(line.toString());
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Encodes Adult, trains, writes data (rows [from, to)) and both models into {@code dir}. */
    public static Files3 prepare(Path dir, int from, int to) {
        Encoded e = encode(adultCsv());
        Model source = train(e, TRAIN_ROWS, 300, 0.5);
        Model variant = source.coarsened();
        Path data = dir.resolve("adult-features.csv");
        writeCsv(e, from, to < 0 ? e.y().length : to, data);
        writeOnnx(source, dir.resolve("source.onnx"));
        writeOnnx(variant, dir.resolve("variant.onnx"));
        return new Files3(data, dir.resolve("source.onnx"), dir.resolve("variant.onnx"), source, variant, e);
    }

    /** Prepares the benchmark inputs: {@code AdultFixture DIR} writes all 48,842 rows and both models. */
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/out");
        Files3 f = prepare(dir, 0, -1);
        System.out.println("wrote " + f.data() + ", " + f.source() + ", " + f.variant());
    }
}
