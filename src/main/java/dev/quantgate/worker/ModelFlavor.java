package dev.quantgate.worker;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Which flavor an MLflow {@code MLmodel} file declares: the server reads it before it plans any job (only the
 * {@code onnx} flavor is quantized), the worker again before it quantizes.
 */
public final class ModelFlavor {

    public static final String ONNX = "onnx";
    private static final String PYFUNC = "python_function";

    private ModelFlavor() {
    }

    /**
     * {@code onnx} when the flavors name it; otherwise the first flavor other than {@code python_function} (the
     * library the model was logged with), {@code python_function} when that is the only one, {@code none} when
     * there are no flavors.
     */
    public static String of(Map<String, ?> flavors) {
        if (flavors.containsKey(ONNX)) {
            return ONNX;
        }
        return flavors.keySet().stream().filter(f -> !f.equals(PYFUNC)).findFirst()
                .orElse(flavors.isEmpty() ? "none" : PYFUNC);
    }

    /** The flavor of an {@code MLmodel} file's text; empty when the text is not a YAML mapping. */
    public static Optional<String> read(String mlmodelText) {
        Object parsed;
        try {
            parsed = MlModel.YAML.readValue(mlmodelText, Object.class);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!(parsed instanceof Map<?, ?> root)) {
            return Optional.empty();
        }
        Map<?, ?> flavors = root.get("flavors") instanceof Map<?, ?> m ? m : Map.of();
        return Optional.of(of(stringKeys(flavors)));
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
