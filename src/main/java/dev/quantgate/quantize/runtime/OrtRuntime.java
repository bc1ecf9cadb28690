package dev.quantgate.quantize.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.quantgate.quantize.QuantizationException;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX Runtime: uses the CUDA execution provider when the loaded ONNX Runtime build has it (the
 * {@code onnxruntime_gpu} artifact on a GPU machine), otherwise the CPU provider only.
 */
public final class OrtRuntime implements ModelRuntime {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final int threads;
    private final boolean useCuda;

    public OrtRuntime() {
        this(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), true);
    }

    public OrtRuntime(int intraOpThreads, boolean preferCuda) {
        this.threads = intraOpThreads;
        this.useCuda = preferCuda && cudaAvailable();
    }

    /** Whether this ONNX Runtime build offers the CUDA execution provider. */
    public static boolean cudaAvailable() {
        try {
            return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** One line for logs and test output: which providers are used, and why CUDA is not. */
    public static String describe() {
        return cudaAvailable() ? "CUDA execution provider available (CUDA, CPU)" : "CUDA not available, CPU only";
    }

    @Override
    public String providers() {
        return useCuda ? "CUDA, CPU" : "CPU";
    }

    public boolean usesCuda() {
        return useCuda;
    }

    public OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(threads);
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (useCuda) {
            opts.addCUDA(0);
        }
        return opts;
    }

    @Override
    public Session open(byte[] model) {
        return open(model, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    @Override
    public Session openForInspection(byte[] model) {
        return open(model, OrtSession.SessionOptions.OptLevel.BASIC_OPT);
    }

    @Override
    public Session open(Path modelFile) {
        try (OrtSession.SessionOptions opts = options()) {
            return new OrtModelSession(env, env.createSession(modelFile.toAbsolutePath().toString(), opts));
        } catch (OrtException e) {
            throw new QuantizationException("ONNX Runtime refuses the model: " + e.getMessage(), e);
        }
    }

    @Override
    public Session open(byte[] model, Path externalDataDir, boolean forInspection) {
        return open(model, forInspection ? OrtSession.SessionOptions.OptLevel.BASIC_OPT
                : OrtSession.SessionOptions.OptLevel.ALL_OPT, externalDataDir);
    }

    private Session open(byte[] model, OrtSession.SessionOptions.OptLevel level) {
        return open(model, level, null);
    }

    private Session open(byte[] model, OrtSession.SessionOptions.OptLevel level, Path externalDataDir) {
        try (OrtSession.SessionOptions opts = options()) {
            opts.setOptimizationLevel(level);
            if (externalDataDir != null) {
                // a model from bytes has no directory of its own: name the one its external data lives in
                opts.addConfigEntry("session.model_external_initializers_file_folder_path",
                        externalDataDir.toAbsolutePath().toString());
            }
            return new OrtModelSession(env, env.createSession(model, opts));
        } catch (OrtException e) {
            throw new QuantizationException("ONNX Runtime refuses the model: " + e.getMessage(), e);
        }
    }

    private record OrtModelSession(OrtEnvironment env, OrtSession session) implements Session {

        @Override
        public Map<String, TensorData> run(Map<String, TensorData> inputs) {
            Map<String, OnnxTensor> tensors = new HashMap<>();
            try {
                for (Map.Entry<String, TensorData> e : inputs.entrySet()) {
                    TensorData t = e.getValue();
                    tensors.put(e.getKey(), t.isFloat()
                            ? OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), t.dims())
                            : OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), t.dims()));
                }
                Map<String, TensorData> out = new LinkedHashMap<>();
                try (OrtSession.Result result = session.run(tensors)) {
                    for (Map.Entry<String, OnnxValue> e : result) {
                        if (e.getValue() instanceof OnnxTensor t) {
                            TensorInfo info = t.getInfo();
                            long[] shape = info.getShape();
                            switch (info.type) {
                                case FLOAT -> {
                                    FloatBuffer fb = t.getFloatBuffer();
                                    float[] f = new float[fb.remaining()];
                                    fb.get(f);
                                    out.put(e.getKey(), TensorData.ofFloats(shape, f));
                                }
                                case INT64 -> {
                                    LongBuffer lb = t.getLongBuffer();
                                    long[] l = new long[lb.remaining()];
                                    lb.get(l);
                                    out.put(e.getKey(), TensorData.ofLongs(shape, l));
                                }
                                default -> { }
                            }
                        }
                    }
                }
                return out;
            } catch (OrtException e) {
                throw new QuantizationException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
            } finally {
                tensors.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
