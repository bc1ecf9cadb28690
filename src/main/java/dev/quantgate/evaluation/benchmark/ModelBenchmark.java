package dev.quantgate.evaluation.benchmark;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures a source model and its variant in one process: both sessions are loaded, warmed up, then run
 * alternately (who goes first alternates too), so that a machine's load and frequency changes fall on both alike.
 * Inputs are real rows where the caller has them ({@link BenchmarkRows}: a tabular model's evaluation rows), else
 * random (floats in [0, 1), integer inputs 1: valid token ids and attention masks); either way the same for both
 * models. The batch dimension is the first of each input, other dynamic dimensions come from the options.
 */
public final class ModelBenchmark {

    private ModelBenchmark() {
    }

    /** On random inputs. */
    public static BenchmarkResult run(Path source, Path variant, BenchmarkOptions o) {
        return run(source, variant, o, null);
    }

    /**
     * On {@code rows} when given (both models must take exactly that one input, {@code [batch, width]}, float or
     * double), else on random inputs.
     */
    public static BenchmarkResult run(Path source, Path variant, BenchmarkOptions o, BenchmarkRows rows) {
        OrtRuntime runtime = OnnxModelRunner.runtime(o.intraOpThreads());
        try (Loaded s = Loaded.open(source, runtime, o, rows); Loaded v = Loaded.open(variant, runtime, o, rows)) {
            for (int w = 0; w < o.warmups(); w++) {
                s.one(w);
                v.one(w);
                s.many(w);
                v.many(w);
            }
            long[] ls = new long[o.latencyRuns()];
            long[] lv = new long[o.latencyRuns()];
            for (int i = 0; i < o.latencyRuns(); i++) {
                if (i % 2 == 0) {
                    ls[i] = s.one(i);
                    lv[i] = v.one(i);
                } else {
                    lv[i] = v.one(i);
                    ls[i] = s.one(i);
                }
            }
            long ts = 0;
            long tv = 0;
            for (int i = 0; i < o.throughputRuns(); i++) {
                if (i % 2 == 0) {
                    ts += s.many(i);
                    tv += v.many(i);
                } else {
                    tv += v.many(i);
                    ts += s.many(i);
                }
            }
            double fed = (double) o.throughputBatch() * o.throughputRuns();
            ModelMeasurement ms = s.measurement(LatencyStats.of(ls), o.throughputBatch(), fed / (ts / 1e9));
            ModelMeasurement mv = v.measurement(LatencyStats.of(lv), o.throughputBatch(), fed / (tv / 1e9));
            return new BenchmarkResult(HardwareDescriptor.detect(runtime.providers()), ms, mv,
                    (double) mv.batch1().p50() / ms.batch1().p50(), mv.rowsPerSecond() / ms.rowsPerSecond(),
                    peakResident(), "peak: VmHWM of /proc/self/status (the whole process: JVM heap and native memory, "
                    + "ONNX Runtime included); per model: VmRSS growth over its session load and first call",
                    o, rows == null ? BenchmarkInputs.random(o.seed()) : BenchmarkInputs.of(rows));
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

    /** One loaded model with its batch-1 and throughput input sets (one of each for random inputs). */
    private static final class Loaded implements AutoCloseable {
        final ModelFiles files;
        final OrtSession session;
        final long loadNanos;
        final List<Map<String, OnnxTensor>> ones;
        final List<Map<String, OnnxTensor>> manys;
        final long growth;

        private Loaded(ModelFiles files, OrtSession session, long loadNanos, List<Map<String, OnnxTensor>> ones,
                       List<Map<String, OnnxTensor>> manys, long growth) {
            this.files = files;
            this.session = session;
            this.loadNanos = loadNanos;
            this.ones = ones;
            this.manys = manys;
            this.growth = growth;
        }

        static Loaded open(Path model, OrtRuntime runtime, BenchmarkOptions o, BenchmarkRows rows) {
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
            List<Map<String, OnnxTensor>> ones = new ArrayList<>();
            List<Map<String, OnnxTensor>> manys = new ArrayList<>();
            try {
                if (rows == null) {
                    ones.add(inputs(env, session, 1, o));
                    manys.add(inputs(env, session, o.throughputBatch(), o));
                } else {
                    OnnxJavaType type = rowInputType(session, file, rows);
                    for (int i = 0; i < Math.min(rows.rows(), o.latencyRuns()); i++) {
                        ones.add(Map.of(rows.input(), rowTensor(env, type, rows, i, 1)));
                    }
                    int distinct = Math.max(1, (rows.rows() + o.throughputBatch() - 1) / o.throughputBatch());
                    for (int i = 0; i < Math.min(distinct, o.throughputRuns()); i++) {
                        manys.add(Map.of(rows.input(), rowTensor(env, type, rows, i * o.throughputBatch(),
                                o.throughputBatch())));
                    }
                }
            } catch (RuntimeException e) {
                closeAll(ones, manys, session);
                throw e;
            }
            Loaded l = new Loaded(files, session, load, ones, manys, 0);
            l.one(0);
            long after = resident();
            return new Loaded(files, session, load, ones, manys, before < 0 ? 0 : Math.max(0, after - before));
        }

        /** The i-th batch-1 call (inputs taken in turn). */
        long one(int i) {
            return call(ones.get(i % ones.size()));
        }

        /** The i-th throughput call. */
        long many(int i) {
            return call(manys.get(i % manys.size()));
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
            closeAll(ones, manys, session);
        }
    }

    private static void closeAll(List<Map<String, OnnxTensor>> ones, List<Map<String, OnnxTensor>> manys,
                                 OrtSession session) {
        ones.forEach(m -> m.values().forEach(OnnxTensor::close));
        manys.forEach(m -> m.values().forEach(OnnxTensor::close));
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rows' input must be the model's only one, {@code [batch, width]}, float or double. */
    private static OnnxJavaType rowInputType(OrtSession session, Path file, BenchmarkRows rows) {
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            NodeInfo n = inputs.get(rows.input());
            if (inputs.size() != 1 || n == null || !(n.getInfo() instanceof TensorInfo t)) {
                throw new BadInputException("model " + file.getFileName() + " takes inputs " + inputs.keySet()
                        + "; benchmark rows feed exactly one tensor input '" + rows.input() + "'");
            }
            long[] shape = t.getShape();
            if (shape.length != 2 || (shape[1] >= 0 && shape[1] != rows.width())) {
                throw new BadInputException("model " + file.getFileName() + " input '" + rows.input() + "' has shape "
                        + java.util.Arrays.toString(shape) + "; the benchmark rows have " + rows.width() + " values each");
            }
            if (t.type != OnnxJavaType.FLOAT
                    && t.type != OnnxJavaType.DOUBLE) {
                throw new BadInputException("model " + file.getFileName() + " input '" + rows.input() + "' has type "
                        + t.type + "; benchmark rows feed float or double inputs");
            }
            return t.type;
        } catch (OrtException e) {
            throw new BadInputException("cannot read the inputs of " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static OnnxTensor rowTensor(OrtEnvironment env, OnnxJavaType type, BenchmarkRows rows,
                                        int first, int count) {
        float[] v = rows.row(first, count);
        long[] shape = {count, rows.width()};
        try {
            if (type == OnnxJavaType.DOUBLE) {
                double[] d = new double[v.length];
                for (int i = 0; i < v.length; i++) {
                    d[i] = v[i];
                }
                return OnnxTensor.createTensor(env, DoubleBuffer.wrap(d), shape);
            }
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
        } catch (OrtException e) {
            throw new BadInputException("cannot build benchmark inputs: " + e.getMessage(), e);
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
