package dev.quantgate.evaluation.result;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A model as evaluated: in models mode its file, the SHA-256 of its main file and of every file it consists of
 * (external-data sidecars included), the output read and what its graph says about its precision; in predictions
 * mode only the predictions column.
 *
 * @param file the model file's name (null in predictions mode)
 * @param sha256 SHA-256 of the model file
 * @param files every file of the model, by path relative to the model's directory, with its SHA-256
 * @param output the output read
 * @param predictionsColumn the predictions column (predictions mode), else null
 * @param dynamicQuantization the graph has {@code DynamicQuantizeLinear} (or its metadata says int8-dynamic)
 * @param float16 the graph computes in float16
 */
public record ModelInfo(String file, String sha256, SortedMap<String, String> files, String output, String predictionsColumn,
                        boolean dynamicQuantization, boolean float16) {

    public ModelInfo {
        files = files == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    public static ModelInfo predictions(String column) {
        return new ModelInfo(null, null, null, null, column, false, false);
    }
}
