package dev.quantgate.worker;

import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.dataset.CsvReader;
import dev.quantgate.evaluation.dataset.ModelSignature;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.engine.Task;
import dev.quantgate.policy.model.Evaluation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the policy's evaluation section into the evaluation engine's options for one dataset, checking first that
 * the dataset has the columns the model's signature and the policy name, so that a mismatch is a clear permanent
 * failure rather than an error deep in the engine.
 *
 * @param options  the engine's options
 * @param features the model's feature columns in input order (from a column signature), or null when the signature
 *                 is a tensor: then every column but the label and sensitive ones
 */
record EvaluationSetup(EvaluationOptions options, List<String> features) {

    static final String CODE = "dataset_columns";

    static EvaluationSetup of(Evaluation policy, Path dataset, String datasetName, Path mlmodel, boolean hasSignature,
                              int threads) throws JobFailure, IOException {
        List<String> columns = header(dataset, datasetName);
        EvaluationOptions o = new EvaluationOptions().threads(threads);
        List<String> features = null;
        if (hasSignature) {
            ModelSignature signature;
            try {
                signature = ModelSignature.read(mlmodel);
            } catch (BadInputException e) {
                throw JobFailure.permanent("bad_mlmodel", e.getMessage());
            }
            if (signature.columnBased()) {
                features = signature.columnNames();
                requirePresent(columns, features, datasetName, "the model's signature names");
                o.features(features);
            }
        }
        if (policy.label() == null || policy.label().isBlank()) {
            throw JobFailure.permanent("policy_evaluation", "the policy's evaluation names no label column");
        }
        requirePresent(columns, List.of(policy.label()), datasetName, "the policy's evaluation.label is");
        requirePresent(columns, policy.sensitive(), datasetName, "the policy's evaluation.sensitive names");
        for (String bucketed : policy.buckets().keySet()) {
            if (!policy.sensitive().contains(bucketed)) {
                throw JobFailure.permanent("policy_evaluation", "the policy's evaluation.buckets names '" + bucketed
                        + "', which evaluation.sensitive " + policy.sensitive() + " does not list");
            }
        }
        if (features != null) {
            for (String s : policy.sensitive()) {
                if (s.equals(policy.label())) {
                    throw JobFailure.permanent("policy_evaluation", "'" + s + "' is both the label and a sensitive column");
                }
            }
        }
        o.labelColumn(policy.label());
        List<String> classes = classes(policy, dataset, datasetName);
        o.classes(classes).task(classes.size() > 2 ? Task.MULTICLASS : Task.BINARY);
        for (String s : policy.sensitive()) {
            List<Double> edges = policy.buckets().get(s);
            o.sensitive(edges == null ? SensitiveAttribute.categorical(s)
                    : SensitiveAttribute.bucketed(s, edges.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        o.intersections(policy.intersections()).bootstrap(policy.bootstrap()).minGroupSize(policy.minGroupSize())
                .threshold(policy.threshold()).batchSize(policy.batchSize()).seed(policy.seed());
        return new EvaluationSetup(o, features);
    }

    /** The feature columns of a dataset with this header: the signature's, else all but label and sensitive. */
    List<String> featuresOf(List<String> header, Evaluation policy) {
        if (features != null) {
            return features;
        }
        List<String> out = new ArrayList<>(header);
        out.remove(policy.label());
        out.removeAll(policy.sensitive());
        return out;
    }

    static List<String> header(Path csv, String name) throws JobFailure, IOException {
        try (CsvReader in = new CsvReader(Files.newBufferedReader(csv, StandardCharsets.UTF_8), name)) {
            return in.columns();
        } catch (BadInputException e) {
            throw JobFailure.permanent("dataset_invalid", e.getMessage());
        }
    }

    private static void requirePresent(List<String> columns, List<String> wanted, String datasetName, String who)
            throws JobFailure {
        Set<String> missing = new LinkedHashSet<>(wanted);
        missing.removeAll(Set.copyOf(columns));
        if (!missing.isEmpty()) {
            throw JobFailure.permanent(CODE, "the dataset " + datasetName + " does not match: " + who + " "
                    + missing + ", which it lacks; its columns: " + abbreviated(columns));
        }
    }

    private static String abbreviated(List<String> columns) {
        return columns.size() <= 20 ? columns.toString()
                : columns.subList(0, 20) + " and " + (columns.size() - 20) + " more";
    }

    /** The class labels in the order of the model's outputs; binary: negative, then the policy's positive class. */
    private static List<String> classes(Evaluation policy, Path dataset, String datasetName) throws JobFailure, IOException {
        List<String> classes = new ArrayList<>(policy.classes());
        String positive = policy.positive();
        if (classes.isEmpty() && positive == null) {
            return List.of("0", "1");
        }
        if (classes.isEmpty()) {
            classes.addAll(labels(dataset, datasetName, policy.label()));
            if (classes.size() != 2) {
                throw JobFailure.permanent("policy_evaluation", "the label column '" + policy.label() + "' holds "
                        + classes.size() + " values " + abbreviated(classes) + "; name evaluation.classes for a task "
                        + "that is not binary");
            }
        }
        if (positive != null) {
            if (!classes.contains(positive)) {
                throw JobFailure.permanent("policy_evaluation", "the policy's positive class '" + positive
                        + "' is not one of the classes " + classes);
            }
            if (classes.size() == 2) {
                classes.remove(positive);
                classes.add(positive);
            }
        }
        return classes;
    }

    private static List<String> labels(Path csv, String name, String label) throws JobFailure, IOException {
        Set<String> values = new java.util.TreeSet<>();
        try (CsvReader in = new CsvReader(Files.newBufferedReader(csv, StandardCharsets.UTF_8), name)) {
            int i = in.columns().indexOf(label);
            String[] row;
            while ((row = in.next()) != null && values.size() <= 2) {
                values.add(row[i]);
            }
        } catch (BadInputException e) {
            throw JobFailure.permanent("dataset_invalid", e.getMessage());
        }
        return new ArrayList<>(values);
    }
}
