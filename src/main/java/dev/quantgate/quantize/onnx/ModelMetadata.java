package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;

import java.util.LinkedHashMap;
import java.util.Map;

/** The provenance every output model carries in its {@code metadata_props}. */
public final class ModelMetadata {

    public static final String SPEC_SHA256 = "quantgate.spec_sha256";
    public static final String SPEC = "quantgate.spec";
    public static final String ENGINE_VERSION = "quantgate.engine_version";
    public static final String SOURCE_SHA256 = "quantgate.source_sha256";
    public static final String NODES_KEPT = "quantgate.nodes_kept";
    /** Combined hash of all the source model's files (see {@link FileHashes}). */
    public static final String SOURCE_MODEL_SHA256 = "quantgate.source_model_sha256";

    private ModelMetadata() {
    }

    /** Replaces any earlier {@code quantgate.*} entries with {@code entries}. */
    public static ModelProto stamp(ModelProto model, Map<String, String> entries) {
        ModelProto.Builder b = model.toBuilder().clearMetadataProps();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            if (!e.getKey().startsWith("quantgate.")) {
                b.addMetadataProps(e);
            }
        }
        entries.forEach((k, v) -> b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return b.build();
    }

    public static Map<String, String> read(ModelProto model) {
        Map<String, String> m = new LinkedHashMap<>();
        model.getMetadataPropsList().forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
