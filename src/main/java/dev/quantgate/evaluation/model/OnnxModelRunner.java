package dev.quantgate.evaluation.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.quantize.runtime.OrtRuntime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session for one model with a single 2-D numeric input {@code [batch, features]}. Rows are
 * written into a reused direct buffer and run in batches; one output is read back as floats.
 */
public final class OnnxModelRunner implements AutoCloseable {

    /** A model output: its name, element type and shape (-1 for a dynamic dimension); non-tensors have no shape. */
    public record Output(String name, OnnxJavaType type, long[] shape, boolean tensor) {

        public boolean numeric() {
            return tensor && (type == OnnxJavaType.FLOAT || type == OnnxJavaType.DOUBLE
                    || type == OnnxJavaType.INT64 || type == OnnxJavaType.INT32);
        }

        /** Values per row: the product of the dimensions after the first (1 for a 1-D output). */
        public long width() {
            long w = 1;
            for (int i = 1; i < shape.length; i++) {
                w *= shape[i] < 0 ? -1 : shape[i];
            }
            return shape.length <= 1 ? 1 : w;
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final OnnxJavaType inputType;
    private final long declaredFeatures;
    private final List<Output> outputs;
    private final String description;
    private final ModelFiles files;
    private final String providers;
    private ByteBuffer buffer;
    private int bufferRows = -1;
    private int features = -1;

    /**
     * Session options: the quantizer's runtime selection ({@link OrtRuntime}: CUDA where the ONNX Runtime build offers
     * it, else CPU), one inter-op thread, and idle pool threads that sleep instead of spinning (between batches this
     * process parses rows and bootstraps).
     */
    public static OrtSession.SessionOptions sessionOptions(OrtRuntime runtime) throws OrtException {
        OrtSession.SessionOptions options = runtime.options();
        options.setInterOpNumThreads(1);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /** The runtime sessions use with {@code intraOpThreads} threads: CUDA when offered, else CPU. */
    public static OrtRuntime runtime(int intraOpThreads) {
        return new OrtRuntime(intraOpThreads, true);
    }

    /**
     * Loads a model by path, so ONNX Runtime resolves its external-data files beside it; {@code model} is the
     * {@code .onnx} file or an MLflow model directory (see {@link ModelFiles#locate}).
     */
    public OnnxModelRunner(Path model, int intraOpThreads) {
        this(ModelFiles.inspect(ModelFiles.locate(model)), runtime(intraOpThreads));
    }

    public OnnxModelRunner(ModelFiles files, OrtRuntime runtime) {
        Path model = files.model();
        this.description = "model " + model.getFileName();
        this.files = files;
        this.providers = runtime.providers();
        this.env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = sessionOptions(runtime)) {
            this.session = env.createSession(model.toString(), options);
        } catch (OrtException e) {
            throw new BadInputException(description + " cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
        }
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                close();
                throw new BadInputException(description + " has " + inputs.size() + " inputs " + inputs.keySet()
                        + "; a single input of shape [rows, features] is supported");
            }
            NodeInfo in = inputs.values().iterator().next();
            this.inputName = in.getName();
            if (!(in.getInfo() instanceof TensorInfo ti) || ti.getShape().length != 2
                    || (ti.type != OnnxJavaType.FLOAT && ti.type != OnnxJavaType.DOUBLE)) {
                close();
                throw new BadInputException(description + " input '" + in.getName() + "' is " + in.getInfo()
                        + "; a float32 or float64 tensor of shape [rows, features] is supported");
            }
            this.inputType = ti.type;
            this.declaredFeatures = ti.getShape()[1];
            List<Output> outs = new ArrayList<>();
            for (NodeInfo o : session.getOutputInfo().values()) {
                if (o.getInfo() instanceof TensorInfo t) {
                    outs.add(new Output(o.getName(), t.type, t.getShape(), true));
                } else {
                    outs.add(new Output(o.getName(), OnnxJavaType.UNKNOWN, new long[0], false));
                }
            }
            this.outputs = List.copyOf(outs);
        } catch (OrtException e) {
            close();
            throw new BadInputException(description + ": cannot read its inputs and outputs: " + e.getMessage(), e);
        }
    }

    public String description() {
        return description;
    }

    /** The model's files and what its graph says about its precision. */
    public ModelFiles files() {
        return files;
    }

    /** The execution providers the session was created with ({@code CUDA, CPU} or {@code CPU}). */
    public String providers() {
        return providers;
    }

    /** The ONNX Runtime version. */
    public String runtimeVersion() {
        return env.getVersion();
    }

    public String inputName() {
        return inputName;
    }

    /** Features the input declares, or -1 when that dimension is dynamic. */
    public long declaredFeatures() {
        return declaredFeatures;
    }

    public List<Output> outputs() {
        return outputs;
    }

    /** Prepares a reusable buffer for batches of up to {@code rows} rows of {@code features} values. */
    public void prepare(int rows, int features) {
        if (declaredFeatures >= 0 && declaredFeatures != features) {
            throw new BadInputException(description + " input '" + inputName + "' takes " + declaredFeatures
                    + " features per row, the dataset mapping provides " + features);
        }
        int bytes = inputType == OnnxJavaType.FLOAT ? 4 : 8;
        this.buffer = ByteBuffer.allocateDirect(rows * features * bytes).order(ByteOrder.nativeOrder());
        this.bufferRows = rows;
        this.features = features;
    }

    /**
     * Builds the input tensor of a batch whose row-major values are {@code values[0 .. rows*features)}, in this
     * runner's reused direct buffer. The caller closes it; it may be passed to any runner with the same input type.
     */
    public OnnxTensor tensor(float[] values, int rows) {
        if (rows > bufferRows) {
            throw new IllegalArgumentException("batch of " + rows + " rows exceeds the prepared " + bufferRows);
        }
        int n = rows * features;
        long[] shape = {rows, features};
        try {
            if (inputType == OnnxJavaType.FLOAT) {
                FloatBuffer fb = buffer.asFloatBuffer();
                fb.put(values, 0, n);
                fb.flip();
                return OnnxTensor.createTensor(env, fb, shape);
            }
            DoubleBuffer db = buffer.asDoubleBuffer();
            for (int i = 0; i < n; i++) {
                db.put(values[i]);
            }
            db.flip();
            return OnnxTensor.createTensor(env, db, shape);
        } catch (OrtException e) {
            throw new BadInputException(description + ": cannot build an input tensor: " + e.getMessage(), e);
        }
    }

    /** True when a tensor built by {@code other} fits this runner's input. */
    public boolean sharesInputWith(OnnxModelRunner other) {
        return inputType == other.inputType && features == other.features;
    }

    /** Runs one batch tensor and answers output {@code output}, row-major ({@code rows * width} values). */
    public float[] run(OnnxTensor tensor, int rows, Output output) {
        try (OrtSession.Result result = session.run(Map.of(inputName, tensor), Set.of(output.name()))) {
            OnnxValue value = result.get(0);
            return copy((OnnxTensor) value, output, rows);
        } catch (OrtException e) {
            throw new BadInputException(description + " failed to run on a batch: " + e.getMessage(), e);
        }
    }

    /** Builds the batch tensor, runs it and closes it. */
    public float[] run(float[] values, int rows, Output output) {
        try (OnnxTensor tensor = tensor(values, rows)) {
            return run(tensor, rows, output);
        }
    }

    private float[] copy(OnnxTensor t, Output output, int rows) {
        long count = t.getInfo().getNumElements();
        if (count % rows != 0) {
            throw new BadInputException(description + " output '" + output.name() + "' has " + count
                    + " values for " + rows + " rows");
        }
        int m = (int) count;
        float[] out = new float[m];
        switch (output.type()) {
            case FLOAT -> t.getFloatBuffer().get(out, 0, m);
            case DOUBLE -> {
                DoubleBuffer b = t.getDoubleBuffer();
                for (int i = 0; i < m; i++) {
                    out[i] = (float) b.get(i);
                }
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                for (int i = 0; i < m; i++) {
                    out[i] = b.get(i);
                }
            }
            case INT32 -> {
                var b = t.getIntBuffer();
                for (int i = 0; i < m; i++) {
                    out[i] = b.get(i);
                }
            }
            default -> throw new BadInputException(description + " output '" + output.name() + "' has type "
                    + output.type() + ", not a number");
        }
        return out;
    }

    /** The session, for a bare benchmark loop with the same options. */
    public OrtSession session() {
        return session;
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                session.close();
            }
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
