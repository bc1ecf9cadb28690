package dev.quantgate.quantize.external;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Function;

/**
 * Saves models with external data the way {@code onnx.save_model(..., save_as_external_data=True)}
 * and {@code mlflow.onnx.save_model} do: every initializer of at least 1 KiB moves to a sidecar,
 * referenced by {@code location}, {@code offset} and {@code length}; independent of the engine's writer.
 */
public final class ExternalModels {

    static final int MLFLOW_SIZE_THRESHOLD = 1024;

    private ExternalModels() {
    }

    /** As MLflow saves it: one sidecar with a UUID name beside {@code model.onnx}; returns the .onnx path. */
    public static Path saveLikeMlflow(ModelProto model, Path dir) throws IOException {
        String sidecar = UUID.randomUUID().toString();
        return save(model, dir.resolve("model.onnx"), t -> sidecar);
    }

    /** One file per tensor (onnx's {@code all_tensors_to_one_file=False}), named after the tensor. */
    static Path saveOneFilePerTensor(ModelProto model, Path dir) throws IOException {
        return save(model, dir.resolve("model.onnx"), t -> "weights/" + t.getName() + ".bin");
    }

    /** Saves with each large tensor's location chosen by {@code locationOf}; tensors appended to their file. */
    static Path save(ModelProto model, Path onnx, Function<TensorProto, String> locationOf) throws IOException {
        Path dir = onnx.getParent();
        ModelProto.Builder b = model.toBuilder();
        var g = b.getGraphBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getRawData().size() < MLFLOW_SIZE_THRESHOLD) {
                continue;
            }
            String location = locationOf.apply(t);
            Path file = dir.resolve(location);
            Files.createDirectories(file.getParent());
            long offset = Files.exists(file) ? Files.size(file) : 0;
            try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND)) {
                t.getRawData().writeTo(out);
            }
            g.setInitializer(i, reference(t, location, offset, t.getRawData().size()));
        }
        Files.write(onnx, b.build().toByteArray());
        return onnx;
    }

    static TensorProto reference(TensorProto t, String location, long offset, long length) {
        return t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length)))
                .build();
    }

    /** Rewrites one initializer's location in a saved model file. */
    static void relocate(Path onnx, String tensor, String location) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(onnx));
        var b = m.toBuilder();
        var g = b.getGraphBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getName().equals(tensor)) {
                TensorProto.Builder tb = t.toBuilder().clearExternalData();
                for (StringStringEntryProto e : t.getExternalDataList()) {
                    tb.addExternalData(e.getKey().equals("location") ? entry("location", location) : e);
                }
                g.setInitializer(i, tb.build());
            }
        }
        Files.write(onnx, b.build().toByteArray());
    }

    static String location(Path onnx, String tensor) throws IOException {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(onnx));
        return m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(tensor)).findFirst()
                .orElseThrow().getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
                .findFirst().orElseThrow().getValue();
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
