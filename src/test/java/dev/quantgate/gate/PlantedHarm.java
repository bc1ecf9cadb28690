package dev.quantgate.gate;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.TinyModels;
import dev.quantgate.quantize.onnx.Tensors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A credit model with a harm that only 4-bit quantization plants. Logistic regression over eight features,
 * {@code x [N, 8] -> MatMul(W [8, 1]) + b -> Sigmoid -> probability [N, 1]}: the applicant's credit history
 * ({@code f0}, weight 4) decides most rows, five bureau features nudge them, and {@code f1}, a rent-payment record
 * with a small weight (0.12), decides the thin-file applicants of group C (6% of the rows), whose history and
 * bureau features are near zero. All eight weights share one 4-bit block along K: int4's scale is the block's
 * range over 15 (4.4 / 15 ≈ 0.29), so 0.12 becomes 0 and group C is left to the noise in its near-empty history;
 * int8's per-column scale is 4 / 127 ≈ 0.03, so 0.12 stays 0.126.
 *
 * <p>4,000 seeded rows: {@code group} A (1,920), B (1,840) and C (240), label {@code repaid} yes/no. Group C repays
 * more often than the others (about 0.85 against 0.5), so its approval rate starts far above theirs.
 */
final class PlantedHarm {

    static final int ROWS = 4000;
    static final float[] WEIGHTS = {4.0f, 0.12f, 0.5f, -0.4f, 0.3f, -0.3f, 0.2f, 0.35f};
    private static final long SEED = 20_261_203L;

    private PlantedHarm() {
    }

    static List<String> features() {
        return IntStream.range(0, WEIGHTS.length).mapToObj(i -> "f" + i).toList();
    }

    static ModelProto model() {
        GraphProto g = GraphProto.newBuilder().setName("credit_logistic")
                .addInput(TinyModels.input("x", TensorProto.DataType.FLOAT_VALUE, -1, WEIGHTS.length))
                .addOutput(TinyModels.input("probability", TensorProto.DataType.FLOAT_VALUE, -1, 1))
                .addInitializer(Tensors.ofFloats("W", new long[] {WEIGHTS.length, 1}, WEIGHTS))
                .addInitializer(Tensors.ofFloats("b", new long[] {1}, new float[] {0f}))
                .addNode(TinyModels.node("MatMul", "score", List.of("x", "W"), "s"))
                .addNode(TinyModels.node("Add", "score_bias", List.of("s", "b"), "logit"))
                .addNode(TinyModels.node("Sigmoid", "probability", List.of("logit"), "probability"))
                .build();
        return TinyModels.model(g, 13);
    }

    /** The group of row {@code i}: C on 3 rows in 50, A on the next 24, B on the last 23. */
    static String group(int i) {
        int r = i % 50;
        return r < 3 ? "C" : r < 27 ? "A" : "B";
    }

    /** The evaluation set: f0..f7, group, repaid. */
    static void writeDataset(Path file) throws IOException {
        Random rnd = new Random(SEED);
        StringBuilder csv = new StringBuilder(String.join(",", features())).append(",group,repaid\n");
        float[] f = new float[WEIGHTS.length];
        for (int i = 0; i < ROWS; i++) {
            String group = group(i);
            boolean repaid;
            java.util.Arrays.fill(f, 0f);
            if (group.equals("C")) {
                // thin file: no history or bureau record to speak of; the rent record says who pays
                boolean pays = rnd.nextDouble() < 0.85;
                f[0] = (float) (0.02 * (pays ? 1 : -1) + 0.03 * rnd.nextGaussian());
                f[1] = pays ? 5f : -5f;
                repaid = rnd.nextDouble() < 0.95 ? pays : !pays;
            } else {
                f[0] = (float) rnd.nextGaussian();
                for (int j = 2; j < f.length; j++) {
                    f[j] = (float) (0.5 * rnd.nextGaussian());
                }
                double logit = rnd.nextGaussian();
                for (int j = 0; j < f.length; j++) {
                    logit += WEIGHTS[j] * f[j];
                }
                repaid = logit > 0;
            }
            for (float v : f) {
                csv.append(Float.toString(v)).append(',');
            }
            csv.append(group).append(',').append(repaid ? "yes" : "no").append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, csv.toString(), StandardCharsets.UTF_8);
    }

    /** The model as {@code mlflow.onnx.log_model} leaves it: model.onnx, MLmodel with a signature, environment files. */
    static void writeModelDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), model().toByteArray());
        String inputs = features().stream()
                .map(c -> String.format(Locale.ROOT, "{\"type\": \"float\", \"name\": \"%s\", \"required\": true}", c))
                .collect(Collectors.joining(", ", "[", "]"));
        Files.writeString(dir.resolve("MLmodel"), "artifact_path: model\nflavors:\n  onnx:\n    code: null\n"
                + "    data: model.onnx\n    onnx_version: 1.17.0\n    providers:\n    - CPUExecutionProvider\n"
                + "  python_function:\n    data: model.onnx\n    env:\n      conda: conda.yaml\n"
                + "      virtualenv: python_env.yaml\n    loader_module: mlflow.onnx\n    python_version: 3.11.9\n"
                + "mlflow_version: 3.5.1\nmodel_size_bytes: 1234\nmodel_uuid: 9d2e51c07a\nrun_id: credit-run\n"
                + "signature:\n  inputs: '" + inputs + "'\n  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": "
                + "{\"dtype\": \"float32\", \"shape\": [-1, 1]}}]'\n  params: null\n"
                + "utc_time_created: '2026-12-03 06:00:00.000000'\n");
        Files.writeString(dir.resolve("conda.yaml"), "name: mlflow-env\ndependencies:\n- python=3.11.9\n");
        Files.writeString(dir.resolve("python_env.yaml"), "python: 3.11.9\n");
        Files.writeString(dir.resolve("requirements.txt"), "mlflow==3.5.1\nonnx==1.17.0\nonnxruntime==1.20.0\n");
    }
}
