package dev.quantgate.evaluation.benchmark;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.quantgate.evaluation.BadInputException;
import dev.quantgate.evaluation.model.ModelFiles;
import dev.quantgate.evaluation.model.OnnxModelRunner;
import dev.quantgate.quantize.runtime.OrtRuntime;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures a source model and its variant in one process: both sessions are loaded, warmed up, then run
 * alternately (who goes first alternates too), so that a machine's load and frequency changes fall on both alike.
 * Inputs are random (floats in [0, 1), integer inputs 1: valid token ids and attention masks), the same for both
 * models; the batch dimension is the first of each input, other dynamic dimensions come from the options.
 */
public final class ModelBenchmark {

    private ModelBenchmark() {
    }

    public static BenchmarkResult run(Path source, Path variant, BenchmarkOptions o) {
        OrtRuntime runtime = OnnxModelRunner.runtime(o.intraOpThreads());
        try (Loaded s = Loaded.open(source, runtime, o); Loaded v = Loaded.open(variant, runtime, o)) {
            for (int w = 0; w < o.warmups(); w++) {
                s.call(s.one);
                v.call(v.one);
                s.call(s.many);
                v.call(v.many);
            }
            long[] ls = new long[o.latencyRuns()];
            long[] lv = new long[o.latencyRuns()];
            for (int i = 0; i < o.latencyRuns(); i++) {
                if (i % 2 == 0) {
                    ls[i] = s.call(s.one);
                    lv[i] = v.call(v.one);
                } else {
                    lv[i] = v.call(v.one);
                    ls[i] = s.call(s.one);
                }
            }
            long ts = 0;
            long tv = 0;
            for (int i = 0; i < o.throughputRuns(); i++) {
                if (i % 2 == 0) {
                    ts += s.call(s.many);
                    tv += v.call(v.many);
                } else {
                    tv += v.call(v.many);
                    ts += s.call(s.many);
                }
            }
            double rows = (double) o.throughputBatch() * o.throughputRuns();
            ModelMeasurement ms = s.measurement(LatencyStats.of(ls), o.throughputBatch(), rows / (ts / 1e9));
            ModelMeasurement mv = v.measurement(LatencyStats.of(lv), o.throughputBatch(), rows / (tv / 1e9));
            return new BenchmarkResult(HardwareDescriptor.detect(runtime.providers()), ms, mv,
                    (double) mv.batch1().p50() / ms.batch1().p50(), mv.rowsPerSecond() / ms.rowsPerSecond(),
                    peakResident(), "peak: VmHWM of /proc/self/status (the whole process: JVM heap and native memory, "
                    + "ONNX Runtime included); per model: VmRSS growth over its session load and first call",
                    o);
        }
    }

    /** VmHWM in bytes, or -1 without /proc. */
    static long peakResident() {
        return status("VmHWM:");
    }

    static long resident() {
        return status("VmRSS:");
    }

    private static long status(String key) {
        for (String line : HardwareDescriptor.lines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return HardwareDescriptor.kib(line);
            }
        }
        return -1;
    }

    /** One loaded model with its two input sets. */
    private static final class Loaded implements AutoCloseable {
        final ModelFiles files;
        final OrtSession session;
        final long loadNanos;
        final Map<String, OnnxTensor> one;
        final Map<String, OnnxTensor> many;
        final long growth;

        private Loaded(ModelFiles files, OrtSession session, long loadNanos, Map<String, OnnxTensor> one,
                       Map<String, OnnxTensor> many, long growth) {
            this.files = files;
            this.session = session;
            this.loadNanos = loadNanos;
            this.one = one;
            this.many = many;
            this.growth = growth;
        }

        static Loaded open(Path model, OrtRuntime runtime, BenchmarkOptions o) {
            ModelFiles files = ModelFiles.inspect(ModelFiles.locate(model));
            Path file = files.model();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long before = resident();
            long t0 = System.nanoTime();
            OrtSession session;
            try (OrtSession.SessionOptions options = OnnxModelRunner.sessionOptions(runtime)) {
                session = env.createSession(file.toString(), options);
            } catch (OrtException e) {
                throw new BadInputException("model " + file.getFileName() + " cannot be loaded by ONNX Runtime: "
                        + e.getMessage(), e);
            }
            long load = System.nanoTime() - t0;
            Map<String, OnnxTensor> one = inputs(env, session, 1, o);
            Map<String, OnnxTensor> many = inputs(env, session, o.throughputBatch(), o);
            Loaded l = new Loaded(files, session, load, one, many, 0);
            l.call(one);
            long after = resident();
            return new Loaded(files, session, load, one, many, before < 0 ? 0 : Math.max(0, after - before));
        }

        /** One timed call, outputs read back (closed). */
        long call(Map<String, OnnxTensor> inputs) {
            long t0 = System.nanoTime();
            try (OrtSession.Result r = session.run(inputs)) {
                long t = System.nanoTime() - t0;
                if (r.size() == 0) {
                    throw new IllegalStateException("no outputs");
                }
                return t;
            } catch (OrtException e) {
                throw new BadInputException("model " + files.model().getFileName() + " failed to run: " + e.getMessage(), e);
            }
        }

        ModelMeasurement measurement(LatencyStats batch1, int batch, double rowsPerSecond) {
            String name = files.model().getFileName().toString();
            return new ModelMeasurement(name, files.files().get(name), loadNanos, batch1, batch, rowsPerSecond, growth);
        }

        @Override
        public void close() {
            one.values().forEach(OnnxTensor::close);
            many.values().forEach(OnnxTensor::close);
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Map<String, OnnxTensor> inputs(OrtEnvironment env, OrtSession session, int batch, BenchmarkOptions o) {
        Map<String, OnnxTensor> out = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(o.seed());
        try {
            for (NodeInfo n : session.getInputInfo().values()) {
                if (!(n.getInfo() instanceof TensorInfo t)) {
                    throw new BadInputException("input '" + n.getName() + "' is not a tensor; the benchmark feeds tensors");
                }
                long[] shape = t.getShape().clone();
                String[] names = t.getDimensionNames();
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    if (i == 0) {
                        shape[i] = batch;
                    } else if (shape[i] < 0) {
                        String dim = names != null && i < names.length ? names[i] : "";
                        shape[i] = o.dimensions().getOrDefault(dim, o.defaultDimension());
                    }
                    count *= shape[i];
                }
                int c = Math.toIntExact(count);
                OnnxTensor tensor = switch (t.type) {
                    case FLOAT -> {
                        float[] v = new float[c];
                        for (int i = 0; i < c; i++) {
                            v[i] = (float) rnd.nextDouble();
                        }
                        yield OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
                    }
                    case DOUBLE -> {
                        double[] v = new double[c];
                        for (int i = 0; i < c; i++) {
                            v[i] = rnd.nextDouble();
                        }
                        yield OnnxTensor.createTensor(env, DoubleBuffer.wrap(v), shape);
                    }
                    case INT64 -> {
                        long[] v = new long[c];
                        java.util.Arrays.fill(v, 1L);
                        yield OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
                    }
                    case INT32 -> {
                        int[] v = new int[c];
                        java.util.Arrays.fill(v, 1);
                        yield OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
                    }
                    default -> throw new BadInputException("input '" + n.getName() + "' has type " + t.type
                            + "; the benchmark feeds float, double, int64 and int32 tensors");
                };
                out.put(n.getName(), tensor);
            }
            return out;
        } catch (OrtException e) {
            out.values().forEach(OnnxTensor::close);
            throw new BadInputException("cannot build benchmark inputs: " + e.getMessage(), e);
        }
    }
}
