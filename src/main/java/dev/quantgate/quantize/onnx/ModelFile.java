package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.quantgate.quantize.QuantizationException;
import dev.quantgate.quantize.QuantizationIoException;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model read from its file, with its external data resolved. The {@code .onnx} file and every
 * sidecar are memory-mapped, not copied onto the heap: each tensor's bytes are a read-only view of
 * the mapped file, so the engine holds the model's tensors at most once (in the page cache) however
 * large they are, and a tensor it leaves alone is copied from the mapping straight to the output.
 *
 * @param model the model, every tensor's data inline ({@code raw_data} views of the mapped files)
 * @param file the {@code .onnx} file (absolute)
 * @param directory the model's directory (real path), which every external location stays inside
 * @param sidecars the external data files, in first-use order (empty for a self-contained model)
 */
public record ModelFile(ModelProto model, Path file, Path directory, List<Path> sidecars,
                        Map<ByteString, TensorProto> references) {

    /** Reads and checks a model; its tensors in external files are mapped, never read onto the heap. */
    public static ModelFile load(Path file) {
        Path abs = file.toAbsolutePath();
        ModelProto header = parseMapped(abs, "input model " + file);
        Path dir = ExternalData.directoryOf(abs);
        Set<Path> sidecars = new LinkedHashSet<>();
        Map<ByteString, TensorProto> refs = new IdentityHashMap<>();
        Map<Path, FileChannel> channels = new HashMap<>();
        ModelProto model;
        try {
            model = TensorRewriter.rewrite(header, t -> {
                if (!ExternalData.isExternal(t)) {
                    return t;
                }
                ExternalData.Reference r = ExternalData.resolve(t, dir);
                sidecars.add(r.file());
                if (r.length() > Integer.MAX_VALUE) {
                    throw new QuantizationException("tensor '" + t.getName() + "' has " + r.length()
                            + " bytes: tensors over 2 GiB each are not supported (split it)");
                }
                ByteString data = map(channels, r);
                refs.put(data, t);
                return t.toBuilder().clearExternalData().clearDataLocation().setRawData(data).build();
            });
        } finally {
            for (FileChannel c : channels.values()) {
                try {
                    c.close(); // the mappings stay valid after the channel is closed
                } catch (IOException ignored) {
                    // read-only channel
                }
            }
        }
        OnnxModelReader.validate(model, "input model " + file);
        return new ModelFile(model, abs, dir, List.copyOf(sidecars), refs);
    }

    /** Whether the model kept (some of) its tensors in external files. */
    public boolean external() {
        return !sidecars.isEmpty();
    }

    /** The {@code .onnx} file and its sidecars. */
    public List<Path> files() {
        List<Path> all = new ArrayList<>();
        all.add(file);
        all.addAll(sidecars);
        return all;
    }

    /**
     * The model with every tensor whose bytes are still exactly a view of a source sidecar turned
     * back into its external reference, so that a runtime loading it (with {@link #directory()} as
     * its external data folder) reads them from the files instead of from a serialized copy.
     */
    public ModelProto referencing(ModelProto m) {
        if (references.isEmpty()) {
            return m;
        }
        return TensorRewriter.rewrite(m, t -> {
            TensorProto ref = t.hasRawData() ? references.get(t.getRawData()) : null;
            if (ref == null) {
                return t;
            }
            return t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addAllExternalData(ref.getExternalDataList()).build();
        });
    }

    /** Maps the {@code .onnx} file and parses it; bytes fields alias the mapping (no copy). */
    static ModelProto parseMapped(Path file, String what) {
        MappedByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new QuantizationException(what + " is " + size + " bytes, over protobuf's 2 GiB limit:"
                        + " a model this large must keep its tensors in external data files");
            }
            buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (NoSuchFileException e) {
            throw new QuantizationException(what + " does not exist");
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new QuantizationException(what + " is a directory, not an ONNX file");
            }
            throw new QuantizationIoException("cannot read " + what + ": " + e.getMessage(), e);
        }
        return OnnxModelReader.parse(UnsafeByteOperations.unsafeWrap(buf), what);
    }

    private static ByteString map(Map<Path, FileChannel> channels, ExternalData.Reference r) {
        try {
            FileChannel ch = channels.get(r.file());
            if (ch == null) {
                ch = FileChannel.open(r.file(), StandardOpenOption.READ);
                channels.put(r.file(), ch);
            }
            return UnsafeByteOperations.unsafeWrap(ch.map(FileChannel.MapMode.READ_ONLY, r.offset(), r.length()));
        } catch (IOException e) {
            throw new QuantizationIoException("cannot map tensor '" + r.tensor() + "' from " + r.location()
                    + ": " + e.getMessage(), e);
        }
    }
}
