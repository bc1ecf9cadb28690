package dev.quantgate.evaluation.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.BadInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code signature.inputs} of an MLflow {@code MLmodel} file: either named columns with types
 * ({@code [{"name": "age", "type": "double"}, ...]}) or tensor specs
 * ({@code [{"name": "input", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 14]}}]}).
 * Only the signature block and the onnx flavor's {@code data} file name are read; MLflow writes the inputs as a
 * JSON string inside YAML, which a small scalar reader handles (plain, single- or double-quoted, folded lines).
 */
public record ModelSignature(List<Input> inputs, Optional<String> onnxFile) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One signature input: a column (type = double, long, string, ...) or a tensor (dtype and shape). */
    public record Input(String name, String type, String dtype, long[] shape) {

        public boolean isTensor() {
            return "tensor".equals(type);
        }
    }

    /** True when the inputs are named columns (not tensors). */
    public boolean columnBased() {
        return !inputs.isEmpty() && inputs.stream().noneMatch(Input::isTensor);
    }

    /** Column names of a column-based signature, in order. */
    public List<String> columnNames() {
        return inputs.stream().map(Input::name).toList();
    }

    public static ModelSignature read(Path mlmodel) {
        String text;
        try {
            text = Files.readString(mlmodel, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException("MLmodel file " + mlmodel + " does not exist", e);
        } catch (IOException e) {
            throw new dev.quantgate.evaluation.TransientIoException("cannot read MLmodel file " + mlmodel + ": " + e.getMessage(), e);
        }
        return parse(text, mlmodel.toString());
    }

    public static ModelSignature parse(String yaml, String where) {
        List<String> lines = yaml.lines().toList();
        String inputsJson = null;
        String onnxData = null;
        String section = "";
        String flavor = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            String trimmed = line.strip();
            if (indent == 0) {
                section = key(trimmed);
                flavor = "";
                continue;
            }
            if (section.equals("flavors") && indent == 2) {
                flavor = key(trimmed);
            }
            if (section.equals("signature") && indent == 2 && key(trimmed).equals("inputs")) {
                inputsJson = scalar(lines, i, where);
            }
            if (section.equals("flavors") && flavor.equals("onnx") && indent == 4 && key(trimmed).equals("data")) {
                onnxData = scalar(lines, i, where);
            }
        }
        if (inputsJson == null || inputsJson.isBlank() || inputsJson.equals("null")) {
            throw new BadInputException(where + ": no signature.inputs (log the model with a signature, "
                    + "or map columns with --features)");
        }
        JsonNode array;
        try {
            array = JSON.readTree(inputsJson);
        } catch (IOException e) {
            throw new BadInputException(where + ": signature.inputs is not valid JSON: " + e.getMessage(), e);
        }
        if (!array.isArray() || array.isEmpty()) {
            throw new BadInputException(where + ": signature.inputs is not a non-empty list");
        }
        List<Input> inputs = new ArrayList<>();
        for (JsonNode n : array) {
            String type = n.path("type").asText("");
            String name = n.path("name").asText(null);
            if (type.equals("tensor")) {
                JsonNode spec = n.path("tensor-spec");
                JsonNode shapeNode = spec.path("shape");
                long[] shape = new long[shapeNode.size()];
                for (int k = 0; k < shape.length; k++) {
                    shape[k] = shapeNode.get(k).asLong();
                }
                inputs.add(new Input(name, type, spec.path("dtype").asText(""), shape));
            } else {
                if (name == null) {
                    throw new BadInputException(where + ": a column input of signature.inputs has no name");
                }
                inputs.add(new Input(name, type, null, null));
            }
        }
        return new ModelSignature(List.copyOf(inputs), Optional.ofNullable(onnxData));
    }

    private static String key(String trimmed) {
        int colon = trimmed.indexOf(':');
        return colon < 0 ? trimmed : trimmed.substring(0, colon).strip();
    }

    /** The scalar value after {@code key:} on line i, following quoted or folded continuation lines. */
    private static String scalar(List<String> lines, int i, String where) {
        String line = lines.get(i);
        String rest = line.substring(line.indexOf(':') + 1).strip();
        if (rest.startsWith("'") || rest.startsWith("\"")) {
            char q = rest.charAt(0);
            StringBuilder out = new StringBuilder();
            String current = rest.substring(1);
            int lineNo = i;
            while (true) {
                for (int k = 0; k < current.length(); k++) {
                    char c = current.charAt(k);
                    if (q == '\'' && c == '\'') {
                        if (k + 1 < current.length() && current.charAt(k + 1) == '\'') {
                            out.append('\'');
                            k++;
                        } else {
                            return out.toString();
                        }
                    } else if (q == '"' && c == '\\' && k + 1 < current.length()) {
                        char e = current.charAt(++k);
                        out.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> e;
                        });
                    } else if (q == '"' && c == '"') {
                        return out.toString();
                    } else {
                        out.append(c);
                    }
                }
                lineNo++;
                if (lineNo >= lines.size()) {
                    throw new BadInputException(where + ": unterminated quoted value on line " + (i + 1));
                }
                current = lines.get(lineNo).strip();
                out.append(current.isEmpty() ? "\n" : " ");
            }
        }
        StringBuilder out = new StringBuilder(rest);
        for (int k = i + 1; k < lines.size(); k++) {
            String next = lines.get(k);
            int indent = next.length() - next.stripLeading().length();
            int keyIndent = line.length() - line.stripLeading().length();
            if (next.isBlank() || indent <= keyIndent) {
                break;
            }
            out.append(' ').append(next.strip());
        }
        return out.toString().strip();
    }
}
