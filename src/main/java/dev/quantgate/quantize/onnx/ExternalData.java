package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.quantgate.quantize.QuantizationIoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * ONNX external data: tensors whose bytes live in files beside the {@code .onnx} file
 * ({@code data_location = EXTERNAL}, {@code external_data} entries {@code location}, {@code offset},
 * {@code length}), as {@code mlflow.onnx.save_model} writes them by default and as every model over
 * 2 GB must be stored. A {@code location} must be a relative path that stays inside the model's
 * directory, also after symbolic links are resolved; otherwise the model is refused with an
 * {@link ExternalDataException} naming the tensor and the location.
 */
public final class ExternalData {

    private ExternalData() {
    }

    /** One tensor's reference into a sidecar file, checked and resolved. */
    public record Reference(String tensor, String location, Path file, long offset, long length) {
    }

    /**
     * Checks that every external-data reference of the model stays inside the model's directory and
     * fits its file, and returns the sidecar files (real paths, in first-use order; empty for a
     * self-contained model). The model file is read, the sidecars are only inspected.
     *
     * @throws ExternalDataException a location that escapes the directory, a missing or short sidecar
     * @throws dev.quantgate.quantize.QuantizationException the model file is not ONNX or does not exist
     * @throws QuantizationIoException the model or a sidecar cannot be read now
     */
    public static List<Path> verifyConfined(Path modelFile) {
        ModelProto model = OnnxModelReader.parseHeader(modelFile);
        Set<Path> files = new LinkedHashSet<>();
        for (Reference r : references(model, modelFile)) {
            files.add(r.file());
        }
        return List.copyOf(files);
    }

    /** Whether any tensor of the model (initializer or constant attribute) keeps its data outside. */
    public static boolean uses(ModelProto model) {
        boolean[] found = {false};
        forEachTensor(model.getGraph(), t -> found[0] |= isExternal(t));
        return found[0];
    }

    public static boolean isExternal(TensorProto t) {
        return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    /** Every external reference of the model, checked against the model's directory and the files' sizes. */
    public static List<Reference> references(ModelProto model, Path modelFile) {
        Path dir = directoryOf(modelFile);
        List<Reference> out = new ArrayList<>();
        forEachTensor(model.getGraph(), t -> {
            if (isExternal(t)) {
                out.add(resolve(t, dir));
            }
        });
        return out;
    }

    static Path directoryOf(Path modelFile) {
        Path parent = modelFile.toAbsolutePath().getParent();
        try {
            return parent.toRealPath();
        } catch (IOException e) {
            throw new QuantizationIoException("cannot resolve the model's directory " + parent + ": " + e.getMessage(), e);
        }
    }

    /** Resolves one tensor's external reference; every refusal names the tensor and the location. */
    public static Reference resolve(TensorProto t, Path realDir) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = number(t, e);
                case "length" -> length = number(t, e);
                default -> { } // "checksum" and future keys do not change where the bytes are
            }
        }
        String what = "tensor '" + t.getName() + "'";
        if (location == null || location.isEmpty()) {
            throw new ExternalDataException(what + " is marked EXTERNAL but names no location");
        }
        String where = what + " external data location '" + location + "'";
        Path rel;
        try {
            rel = Path.of(location);
        } catch (RuntimeException e) {
            throw new ExternalDataException(where + " is not a valid path");
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\") || location.contains(":")) {
            throw new ExternalDataException(where + " is absolute: external data must be a relative path"
                    + " inside the model's directory");
        }
        Path lexical = realDir.resolve(rel).normalize();
        if (!lexical.startsWith(realDir) || lexical.equals(realDir)) {
            throw new ExternalDataException(where + " escapes the model's directory");
        }
        if (!Files.exists(lexical, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(lexical)) {
            throw new ExternalDataException(where + ": file not found beside the model");
        }
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ExternalDataException(where + ": file not found beside the model (a dangling link)");
        } catch (IOException e) {
            throw new QuantizationIoException("cannot resolve " + where + ": " + e.getMessage(), e);
        }
        if (!real.startsWith(realDir)) {
            throw new ExternalDataException(where + " is a symbolic link that leads out of the model's directory");
        }
        if (!Files.isRegularFile(real)) {
            throw new ExternalDataException(where + " is not a regular file");
        }
        long size;
        try {
            size = Files.size(real);
        } catch (IOException e) {
            throw new QuantizationIoException("cannot read the size of " + where + ": " + e.getMessage(), e);
        }
        long expected = Tensors.byteSize(t);
        if (length < 0) {
            length = expected >= 0 ? expected : size - offset;
        } else if (expected >= 0 && length != expected) {
            throw new ExternalDataException(where + " has length " + length + " but the tensor needs "
                    + expected + " bytes");
        }
        if (offset > size || offset + length > size) {
            throw new ExternalDataException(where + " is short: it has " + size + " bytes, the tensor needs bytes "
                    + offset + " to " + (offset + length) + " (truncated or incomplete sidecar)");
        }
        return new Reference(t.getName(), location, real, offset, length);
    }

    private static long number(TensorProto t, StringStringEntryProto e) {
        try {
            long v = Long.parseLong(e.getValue().trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException ex) {
            throw new ExternalDataException("tensor '" + t.getName() + "' has external data " + e.getKey()
                    + " '" + e.getValue() + "', not a non-negative integer");
        }
    }

    /** Initializers and tensors held by node attributes (Constant values), of the graph and its subgraphs. */
    static void forEachTensor(GraphProto g, Consumer<TensorProto> visit) {
        g.getInitializerList().forEach(visit);
        g.getSparseInitializerList().forEach(s -> {
            visit.accept(s.getValues());
            visit.accept(s.getIndices());
        });
        for (NodeProto n : g.getNodeList()) {
            n.getAttributeList().forEach(a -> {
                if (a.hasT()) {
                    visit.accept(a.getT());
                }
                a.getTensorsList().forEach(visit);
                if (a.hasG()) {
                    forEachTensor(a.getG(), visit);
                }
                a.getGraphsList().forEach(sub -> forEachTensor(sub, visit));
            });
        }
    }
}
