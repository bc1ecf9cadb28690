package dev.quantgate.evaluation.model;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.TransientIoException;
import dev.quantgate.evaluation.dataset.Datasets;
import dev.quantgate.quantize.QuantizationException;
import dev.quantgate.quantize.QuantizationIoException;
import dev.quantgate.quantize.onnx.ExternalData;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an ONNX model file consists of and says about itself, read from its graph without its weights: the
 * external-data files beside it (as MLflow saves models: a UUID-named sidecar, or one file per tensor), whether it
 * is dynamically quantized, whether it computes in float16. ONNX Runtime loads the model by path, so it resolves the
 * same sidecars relative to the model's directory.
 *
 * @param model the model file
 * @param files every file of the model (the model file first), relative to its directory, with its SHA-256
 * @param dynamicQuantization the graph has {@code DynamicQuantizeLinear} (or a fused dynamic-quantization op), or
 *                            its QuantGate metadata names the int8-dynamic scheme
 * @param float16 some initializer or graph value is float16
 */
public record ModelFiles(Path model, SortedMap<String, String> files, boolean dynamicQuantization, boolean float16) {

    private static final Set<String> DYNAMIC_OPS = Set.of("DynamicQuantizeLinear", "DynamicQuantizeMatMul",
            "DynamicQuantizeLSTM", "MatMulIntegerToFloat");

    /**
     * The ONNX file a path names: the path itself when it is a file; in an MLflow model directory (one with an
     * {@code MLmodel} file) the file its onnx flavor's {@code data} names, else {@code model.onnx}; in any other
     * directory its only {@code .onnx} file.
     */
    public static Path locate(Path path) {
        if (!Files.isDirectory(path)) {
            return path;
        }
        Path mlmodel = path.resolve("MLmodel");
        if (Files.isRegularFile(mlmodel)) {
            // flavors: onnx: data: model.onnx (MLflow writes the onnx flavor's keys at four spaces)
            String data = "model.onnx";
            String flavor = "";
            for (String line : readLines(mlmodel)) {
                if (line.startsWith("  ") && !line.startsWith("   ") && line.strip().endsWith(":")) {
                    flavor = line.strip();
                } else if (flavor.equals("onnx:") && line.startsWith("    data:")) {
                    data = line.substring("    data:".length()).strip();
                }
            }
            return inside(path.toAbsolutePath(), data, "MLflow model " + path.getFileName());
        }
        List<Path> onnx;
        try (var files = Files.list(path)) {
            onnx = files.filter(f -> f.getFileName().toString().endsWith(".onnx")).toList();
        } catch (IOException e) {
            throw new TransientIoException("cannot list " + path + ": " + e.getMessage(), e);
        }
        if (onnx.size() != 1) {
            throw new BadInputException(path + " is a directory with " + onnx.size() + " .onnx files and no MLmodel: "
                    + "name the model file");
        }
        return onnx.get(0);
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new TransientIoException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a model's graph (not its external weights), checks its sidecars and hashes every file. */
    public static ModelFiles inspect(Path model) {
        String name = "model " + model.getFileName();
        if (!Files.isRegularFile(model)) {
            throw new BadInputException(name + ": " + model + " does not exist or is not a file");
        }
        OnnxMl.ModelProto proto = parse(model, name);
        Set<OnnxMl.TensorProto> tensors = new LinkedHashSet<>();
        boolean[] flags = new boolean[2];
        walk(proto.getGraph(), tensors, flags);
        for (OnnxMl.StringStringEntryProto e : proto.getMetadataPropsList()) {
            if (e.getKey().equals("quantgate.spec") && e.getValue().replace(" ", "").contains("\"scheme\":\"int8-dynamic\"")) {
                flags[0] = true;
            }
        }
        SortedMap<String, String> files = new TreeMap<>();
        files.put(model.getFileName().toString(), sha256(model));
        for (ExternalData.Reference r : sidecars(proto, model, name)) {
            files.computeIfAbsent(r.location(), l -> sha256(r.file()));
        }
        return new ModelFiles(model, files, flags[0], flags[1]);
    }

    /**
     * Every external-data reference of the model, checked by the quantizer's confinement check (the one place that
     * decides what may be read beside a model: no absolute path, no {@code ..}, no symbolic link out of the model's
     * directory, no missing or short sidecar), its errors turned into this engine's kinds.
     */
    static List<ExternalData.Reference> sidecars(OnnxMl.ModelProto proto, Path model, String name) {
        try {
            return ExternalData.references(proto, model);
        } catch (QuantizationIoException e) {
            throw new TransientIoException(name + ": " + e.getMessage(), e);
        } catch (QuantizationException e) {
            throw new BadInputException(name + ": " + e.getMessage());
        }
    }

    private static OnnxMl.ModelProto parse(Path model, String name) {
        try (InputStream in = Files.newInputStream(model)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE);
            coded.setRecursionLimit(1000);
            return OnnxMl.ModelProto.parseFrom(coded);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new BadInputException(name + " is not an ONNX model: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TransientIoException("cannot read " + model + ": " + e.getMessage(), e);
        }
    }

    private static void walk(OnnxMl.GraphProto g, Set<OnnxMl.TensorProto> tensors, boolean[] flags) {
        int f16 = OnnxMl.TensorProto.DataType.FLOAT16.getNumber();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            tensors.add(t);
            flags[1] |= t.getDataType() == f16;
        }
        List<OnnxMl.ValueInfoProto> values = new ArrayList<>(g.getInputList());
        values.addAll(g.getOutputList());
        values.addAll(g.getValueInfoList());
        for (OnnxMl.ValueInfoProto v : values) {
            flags[1] |= v.getType().hasTensorType() && v.getType().getTensorType().getElemType() == f16;
        }
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            flags[0] |= DYNAMIC_OPS.contains(n.getOpType());
            for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                if (a.hasT()) {
                    tensors.add(a.getT());
                    flags[1] |= a.getT().getDataType() == f16;
                }
                if (n.getOpType().equals("Cast") && a.getName().equals("to") && a.getI() == f16) {
                    flags[1] = true;
                }
                tensors.addAll(a.getTensorsList());
                if (a.hasG()) {
                    walk(a.getG(), tensors, flags);
                }
                for (OnnxMl.GraphProto sub : a.getGraphsList()) {
                    walk(sub, tensors, flags);
                }
            }
        }
    }

    /** The file an MLmodel's {@code data} names, which must stay inside the model directory. */
    private static Path inside(Path dir, String location, String name) {
        Path resolved = dir.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !resolved.startsWith(dir.normalize())) {
            throw new BadInputException(name + ": its MLmodel names '" + location + "', outside the model's directory");
        }
        return resolved;
    }

    private static String sha256(Path file) {
        return Datasets.sha256(file);
    }
}
