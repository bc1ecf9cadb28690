package dev.quantgate.worker;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.benchmark.BenchmarkRows;
import dev.quantgate.evaluation.dataset.CsvReader;
import dev.quantgate.quantize.calib.CalibrationData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a tabular calibration set (CSV, the same columns as the evaluation set) into the quantizer's calibration
 * samples: the feature columns, in input order, packed into {@code [rows, features]} batches for the model's one
 * tensor input. The samples' hash is the file's SHA-256, so the spec records the file it came from. The first rows of
 * the evaluation set are read the same way as the benchmark's inputs.
 */
final class CalibrationCsv {

    /** Rows per calibration sample. */
    static final int BATCH = 64;
    /** Samples kept at most: ranges settle long before, and calibration time grows with each one. */
    static final int MAX_SAMPLES = 64;

    private CalibrationCsv() {
    }

    record Read(CalibrationData data, long rows) {
    }

    static Read read(Path csv, String sha256, ModelProto model, EvaluationSetup setup,
                     dev.quantgate.policy.model.Evaluation policy) throws JobFailure, IOException {
        String input = singleInput(model);
        List<double[]> kept = new ArrayList<>();
        long rows = rows(csv, "the calibration set", setup, policy, (long) MAX_SAMPLES * BATCH, true, kept);
        if (rows == 0) {
            throw JobFailure.permanent("dataset_invalid", "the calibration set has a header but no rows");
        }
        List<Map<String, CalibrationData.Sample>> samples = new ArrayList<>();
        for (int from = 0; from < kept.size(); from += BATCH) {
            List<double[]> b = kept.subList(from, Math.min(kept.size(), from + BATCH));
            int f = b.get(0).length;
            double[] values = new double[b.size() * f];
            for (int i = 0; i < b.size(); i++) {
                System.arraycopy(b.get(i), 0, values, i * f, f);
            }
            samples.add(Map.of(input, new CalibrationData.Sample(new long[]{b.size(), f}, values)));
        }
        return new Read(new CalibrationData(samples, sha256), rows);
    }

    /**
     * The first {@code max} rows of the evaluation set as the benchmark's inputs (the model's one tensor input,
     * features in input order, as the evaluation feeds them), or empty with the reason when they cannot be read:
     * then the benchmark runs on random inputs and says why, and the evaluation reports the problem itself.
     */
    static Either benchmarkRows(Path csv, ModelProto model, EvaluationSetup setup,
                                dev.quantgate.policy.model.Evaluation policy, int max) throws IOException {
        try {
            String input = singleInput(model);
            List<double[]> kept = new ArrayList<>();
            rows(csv, "the evaluation set", setup, policy, max, false, kept);
            if (kept.isEmpty()) {
                return new Either(null, "the evaluation set has no rows");
            }
            int f = kept.get(0).length;
            float[] values = new float[kept.size() * f];
            for (int i = 0; i < kept.size(); i++) {
                for (int j = 0; j < f; j++) {
                    values[i * f + j] = (float) kept.get(i)[j];
                }
            }
            return new Either(new BenchmarkRows(input, f, values, "the first " + kept.size() + " rows of the evaluation "
                    + "set " + csv.getFileName()), null);
        } catch (JobFailure e) {
            return new Either(null, e.getMessage());
        }
    }

    /** Benchmark rows, or why there are none. */
    record Either(BenchmarkRows rows, String reason) {
    }

    /**
     * Reads the feature columns of each row, in input order, keeping the first {@code keep} rows; reads on to the end
     * (to count every row) only when {@code countAll}. Answers the rows read.
     */
    private static long rows(Path csv, String what, EvaluationSetup setup, dev.quantgate.policy.model.Evaluation policy,
                             long keep, boolean countAll, List<double[]> kept) throws JobFailure, IOException {
        long rows = 0;
        try (CsvReader in = new CsvReader(Files.newBufferedReader(csv, StandardCharsets.UTF_8), what)) {
            List<String> features = setup.featuresOf(in.columns(), policy);
            int[] index = new int[features.size()];
            List<String> missing = new ArrayList<>();
            for (int j = 0; j < index.length; j++) {
                index[j] = in.columns().indexOf(features.get(j));
                if (index[j] < 0) {
                    missing.add(features.get(j));
                }
            }
            if (!missing.isEmpty()) {
                throw JobFailure.permanent(EvaluationSetup.CODE, what + " does not match the model's features: it "
                        + "lacks " + missing);
            }
            String[] row;
            while ((kept.size() < keep || countAll) && (row = in.next()) != null) {
                rows++;
                if (kept.size() >= keep) {
                    continue;
                }
                double[] x = new double[index.length];
                for (int j = 0; j < index.length; j++) {
                    try {
                        x[j] = Double.parseDouble(row[index[j]]);
                    } catch (NumberFormatException e) {
                        throw JobFailure.permanent("dataset_invalid", what + ": row " + in.rowNumber() + ", column '"
                                + features.get(j) + "' is not a number: '" + row[index[j]] + "'");
                    }
                }
                kept.add(x);
            }
        } catch (BadInputException e) {
            throw JobFailure.permanent("dataset_invalid", e.getMessage());
        }
        return rows;
    }

    private static String singleInput(ModelProto model) throws JobFailure {
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            initializers.add(t.getName());
        }
        List<String> inputs = new ArrayList<>();
        for (ValueInfoProto v : model.getGraph().getInputList()) {
            if (!initializers.contains(v.getName())) {
                inputs.add(v.getName());
            }
        }
        if (inputs.size() != 1) {
            throw JobFailure.permanent("calibration_unsupported", "a tabular calibration set feeds a model with one "
                    + "tensor input; this one has " + inputs);
        }
        return inputs.get(0);
    }
}
