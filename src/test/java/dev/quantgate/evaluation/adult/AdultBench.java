package dev.quantgate.evaluation.adult;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.quantgate.evaluation.dataset.CsvReader;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.model.OnnxModelRunner;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Benchmark (run by {@code bench/evaluate-adult.sh}, not a test): source + variant on all 48,842 Adult rows,
 * 1,000 bootstrap iterations, sex and race with their intersection. Alternates, in one process, a whole
 * evaluation and a bare ONNX Runtime loop over the same batches with the same session options, and reports
 * medians and spreads of the evaluation time and of the model-running ratio.
 */
public final class AdultBench {

    private AdultBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/out");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (!Files.exists(dir.resolve("source.onnx"))) {
            AdultFixture.prepare(dir, 0, -1);
        }
        Path data = dir.resolve("adult-features.csv");
        EvaluationOptions o = new EvaluationOptions().labelColumn("income").classes(List.of("<=50K", ">50K"))
                .features(AdultFixture.FEATURES).sensitive(SensitiveAttribute.categorical("sex"))
                .sensitive(SensitiveAttribute.categorical("race")).intersections(true)
                .privileged("sex", "Male").privileged("race", "White").bootstrap(1000).seed(7);
        List<float[]> batches = batches(data, o.batchSize());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        // warm-up: JIT compilation of the engine and of the bare loop happens here, not in the measured reps
        int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (int w = 0; w < warmups; w++) {
            evaluate(dir, data, o);
            bare(env, dir, batches);
        }
        List<Double> totals = new ArrayList<>();
        List<Double> models = new ArrayList<>();
        List<Double> bares = new ArrayList<>();
        List<Double> boots = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < reps; r++) {
            double bareFirst = -1;
            if (r % 2 == 1) {
                bareFirst = bare(env, dir, batches);
            }
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            EvaluationResult result = evaluate(dir, data, o);
            double total = (System.nanoTime() - t0) / 1e6;
            double cpu = (os.getProcessCpuTime() - c0) / 1e6;
            cpus.add(cpu);
            double bare = bareFirst >= 0 ? bareFirst : bare(env, dir, batches);
            double model = result.timings().model() / 1e6;
            totals.add(total);
            models.add(model);
            bares.add(bare);
            boots.add(result.timings().bootstrap() / 1e6);
            ratios.add(model / bare);
            System.out.printf(Locale.ROOT, "rep %d: evaluation %.0f ms wall, %.0f ms CPU (load %.0f, model %.1f, bootstrap %.0f), bare ORT %.1f ms, ratio %.2f%n",
                    r + 1, total, cpu, result.timings().load() / 1e6, model, boots.get(r), bare, model / bare);
        }
        System.out.printf(Locale.ROOT, "evaluation (warm, in-process): median %.0f ms, min %.0f, max %.0f%n",
                median(totals), min(totals), max(totals));
        System.out.printf(Locale.ROOT, "evaluation CPU time (all threads): median %.0f ms, min %.0f, max %.0f%n",
                median(cpus), min(cpus), max(cpus));
        System.out.printf(Locale.ROOT, "bootstrap 1000 iterations: median %.0f ms, min %.0f%n", median(boots), min(boots));
        System.out.printf(Locale.ROOT, "model running: median %.1f ms; bare ORT loop median %.1f ms%n", median(models), median(bares));
        System.out.printf(Locale.ROOT, "model-running ratio (evaluation / bare): median %.2f, min %.2f, max %.2f over %d alternating reps;"
                + " ratio of the fastest runs %.2f (%.1f / %.1f ms)%n",
                median(ratios), min(ratios), max(ratios), reps, min(models) / min(bares), min(models), min(bares));
    }

    private static EvaluationResult evaluate(Path dir, Path data, EvaluationOptions o) {
        EvaluationResult r = new Evaluator().evaluateModels(dir.resolve("source.onnx"), dir.resolve("variant.onnx"), data, o);
        JsonWriter.write(EvaluationReport.build(r));
        return r;
    }

    /** The same batches, pre-parsed; both sessions run each batch, outputs read back — no evaluation around it. */
    private static double bare(OrtEnvironment env, Path dir, List<float[]> batches) throws Exception {
        int f = AdultFixture.FEATURES.size();
        try (OrtSession.SessionOptions opts = OnnxModelRunner.sessionOptions(OnnxModelRunner.runtime(2));
             OrtSession s = env.createSession(dir.resolve("source.onnx").toString(), opts);
             OrtSession v = env.createSession(dir.resolve("variant.onnx").toString(), opts)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(batches.get(0).length * 4).order(ByteOrder.nativeOrder());
            long t0 = System.nanoTime();
            double sink = 0;
            for (float[] b : batches) {
                FloatBuffer fb = buffer.asFloatBuffer();
                fb.put(b);
                fb.flip();
                try (OnnxTensor t = OnnxTensor.createTensor(env, fb, new long[]{b.length / f, f})) {
                    for (OrtSession session : new OrtSession[]{s, v}) {
                        try (OrtSession.Result res = session.run(Map.of("features", t), Set.of("probabilities"))) {
                            float[] out = new float[b.length / f * 2];
                            ((OnnxTensor) res.get(0)).getFloatBuffer().get(out);
                            sink += out[0];
                        }
                    }
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (sink < 0) {
                System.out.println(sink);
            }
            return ms;
        }
    }

    private static List<float[]> batches(Path data, int batch) throws Exception {
        int f = AdultFixture.FEATURES.size();
        List<float[]> out = new ArrayList<>();
        try (CsvReader in = new CsvReader(Files.newBufferedReader(data, StandardCharsets.UTF_8), "data")) {
            float[] cur = new float[batch * f];
            int n = 0;
            String[] row;
            while ((row = in.next()) != null) {
                for (int j = 0; j < f; j++) {
                    cur[n * f + j] = Float.parseFloat(row[j]);
                }
                if (++n == batch) {
                    out.add(cur);
                    cur = new float[batch * f];
                    n = 0;
                }
            }
            if (n > 0) {
                out.add(Arrays.copyOf(cur, n * f));
            }
        }
        return out;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
