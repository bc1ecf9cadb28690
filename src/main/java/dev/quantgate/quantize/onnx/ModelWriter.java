package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a model as one {@code .onnx} file, or as an {@code .onnx} file plus one external data file
 * beside it holding every initializer of at least {@link #MIN_EXTERNAL_BYTES} (as {@code onnx.save_model(...,
 * save_as_external_data=True)} and MLflow do). Tensor bytes go from where they are (the heap, or a
 * mapped source file) straight to the file channel, without an intermediate copy of the model.
 * Files are created with the process's default permissions (the umask applies).
 */
public final class ModelWriter {

    /** Tensors this large or larger go to the external data file (onnx's and MLflow's default threshold). */
    public static final int MIN_EXTERNAL_BYTES = 1024;
    /** Tensors of a mebibyte and more start on a page boundary, so a runtime can map them. */
    private static final int ALIGN_FROM = 1 << 20;
    private static final int ALIGNMENT = 4096;

    private ModelWriter() {
    }

    /**
     * @param sidecarName the external data file's name in the same directory, or {@code null} for one
     *                    self-contained file
     * @return the files written, the {@code .onnx} file first
     */
    public static List<Path> write(ModelProto model, Path onnxFile, String sidecarName) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(onnxFile);
        ModelProto header = model;
        if (sidecarName != null) {
            Path sidecar = onnxFile.resolveSibling(sidecarName);
            long[] offset = {0};
            try (FileChannel ch = FileChannel.open(sidecar, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // initializers only, as onnx's save_model does by default (convert_attribute=False):
                // runtimes resolve external data for initializers, not always for node attributes
                ModelProto.Builder b = model.toBuilder();
                var g = b.getGraphBuilder();
                for (int i = 0; i < g.getInitializerCount(); i++) {
                    g.setInitializer(i, externalize(g.getInitializer(i), ch, sidecarName, offset));
                }
                header = b.build();
            } catch (UncheckedIo e) {
                throw e.getCause();
            }
            files.add(sidecar);
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(onnxFile,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
            header.writeTo(out);
        }
        return files;
    }

    private static TensorProto externalize(TensorProto t, FileChannel ch, String location, long[] offset) {
        ByteString raw = t.getRawData();
        if (!t.hasRawData() || raw.size() < MIN_EXTERNAL_BYTES) {
            return t;
        }
        try {
            long start = offset[0];
            if (raw.size() >= ALIGN_FROM && start % ALIGNMENT != 0) {
                start += ALIGNMENT - start % ALIGNMENT;
            }
            ByteBuffer src = raw.asReadOnlyByteBuffer();
            long pos = start;
            while (src.hasRemaining()) {
                pos += ch.write(src, pos);
            }
            offset[0] = pos;
            return t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .clearExternalData()
                    .addExternalData(entry("location", location))
                    .addExternalData(entry("offset", Long.toString(start)))
                    .addExternalData(entry("length", Integer.toString(raw.size())))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIo(e);
        }
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static final class UncheckedIo extends RuntimeException {
        UncheckedIo(IOException e) {
            super(e);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
