package dev.quantgate.evaluation.coverage;

import dev.quantgate.evaluation.engine.EvaluationData;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.IntervalMethod;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.engine.Task;
import dev.quantgate.evaluation.result.EvaluationResult;
import dev.quantgate.evaluation.result.Figure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Coverage of the evaluation's 95% intervals against a known truth. A population of three groups (shares 0.5, 0.3,
 * 0.2) with known prevalence, source true- and false-positive rates and a per-group probability that the variant
 * flips the source's prediction has exact values of the overall flip rate, the accuracy delta and the
 * demographic-parity and equalized-odds deltas (variant − source). Each simulated dataset draws n rows from it,
 * is evaluated like any other (paired bootstrap, the chosen interval method), and counts whether each interval
 * holds the true value.
 */
public final class CoverageSimulation {

    static final double[] SHARE = {0.5, 0.3, 0.2};
    static final double[] PREVALENCE = {0.3, 0.4, 0.5};
    static final double[] TPR = {0.80, 0.75, 0.70};
    static final double[] FPR = {0.10, 0.15, 0.12};
    static final double[] FLIP = {0.01, 0.02, 0.04};

    /** The four statistics, in report order. */
    public static final List<String> STATISTICS = List.of("flip_rate", "accuracy_delta", "demographic_parity_delta",
            "equalized_odds_delta", "demographic_parity_source", "equalized_odds_source");

    private CoverageSimulation() {
    }

    /** Coverage per statistic, and the mean interval width. */
    public record Coverage(int datasets, int rows, int iterations, IntervalMethod method, Map<String, Double> covered,
                           Map<String, Double> meanWidth) {

        public String line() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s n=%-5d datasets=%d B=%d", method.key(),
                    rows, datasets, iterations));
            covered.forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %s %.3f (width %.4f)", k, v, meanWidth.get(k))));
            return b.toString();
        }
    }

    /** The true value of each statistic. */
    public static Map<String, Double> truth() {
        double flip = 0;
        double accS = 0;
        double accV = 0;
        double[] selS = new double[3];
        double[] selV = new double[3];
        double[] tprV = new double[3];
        double[] fprV = new double[3];
        for (int g = 0; g < 3; g++) {
            tprV[g] = TPR[g] * (1 - FLIP[g]) + (1 - TPR[g]) * FLIP[g];
            fprV[g] = FPR[g] * (1 - FLIP[g]) + (1 - FPR[g]) * FLIP[g];
            flip += SHARE[g] * FLIP[g];
            accS += SHARE[g] * (PREVALENCE[g] * TPR[g] + (1 - PREVALENCE[g]) * (1 - FPR[g]));
            accV += SHARE[g] * (PREVALENCE[g] * tprV[g] + (1 - PREVALENCE[g]) * (1 - fprV[g]));
            selS[g] = PREVALENCE[g] * TPR[g] + (1 - PREVALENCE[g]) * FPR[g];
            selV[g] = PREVALENCE[g] * tprV[g] + (1 - PREVALENCE[g]) * fprV[g];
        }
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("flip_rate", flip);
        t.put("accuracy_delta", accV - accS);
        t.put("demographic_parity_delta", spread(selV) - spread(selS));
        t.put("equalized_odds_delta", Math.max(spread(tprV), spread(fprV)) - Math.max(spread(TPR), spread(FPR)));
        t.put("demographic_parity_source", spread(selS));
        t.put("equalized_odds_source", Math.max(spread(TPR), spread(FPR)));
        return t;
    }

    private static double spread(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
            min = Math.min(min, x);
        }
        return max - min;
    }

    /** One dataset of {@code n} rows drawn from the population. */
    static EvaluationData draw(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] group = new int[n];
        int[] y = new int[n];
        int[] ps = new int[n];
        int[] pv = new int[n];
        for (int r = 0; r < n; r++) {
            double u = rnd.nextDouble();
            int g = u < SHARE[0] ? 0 : u < SHARE[0] + SHARE[1] ? 1 : 2;
            group[r] = g;
            y[r] = rnd.nextDouble() < PREVALENCE[g] ? 1 : 0;
            ps[r] = rnd.nextDouble() < (y[r] == 1 ? TPR[g] : FPR[g]) ? 1 : 0;
            pv[r] = rnd.nextDouble() < FLIP[g] ? 1 - ps[r] : ps[r];
        }
        return new EvaluationData(n, Task.BINARY, List.of("0", "1"), List.of("g"), List.of(List.of("a", "b", "c")),
                new int[][]{group}, null, y, null, new EvaluationData.Predictions(ps, null, null, null),
                new EvaluationData.Predictions(pv, null, null, null), null, null, List.of());
    }

    /** Simulates {@code datasets} datasets of {@code rows} rows; dataset i is drawn with seed {@code seed + i}. */
    public static Coverage run(int datasets, int rows, int iterations, IntervalMethod method, long seed, int threads) {
        Map<String, Double> truth = truth();
        Map<String, Double> covered = new LinkedHashMap<>();
        Map<String, Double> width = new LinkedHashMap<>();
        STATISTICS.forEach(s -> {
            covered.put(s, 0.0);
            width.put(s, 0.0);
        });
        // datasets in parallel, each evaluated on one thread: the figures do not depend on the thread count
        java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.DoubleAdder> in = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.DoubleAdder> wide = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
        try {
            pool.submit(() -> java.util.stream.IntStream.range(0, datasets).parallel().forEach(i -> {
                EvaluationData d = draw(rows, seed + i);
                EvaluationOptions o = new EvaluationOptions().labelColumn("y").sensitive(SensitiveAttribute.categorical("g"))
                        .minGroupSize(1).bootstrap(iterations).seed(seed * 31 + i).intervalMethod(method).threads(1);
                EvaluationResult r = new Evaluator().evaluate(d, o);
                Map<String, Figure> f = new LinkedHashMap<>();
                f.put("flip_rate", r.flips().overall());
                f.put("accuracy_delta", r.delta().overall().figure("accuracy"));
                f.put("demographic_parity_delta", r.delta().section("g").fairness().get("demographic_parity_difference"));
                f.put("equalized_odds_delta", r.delta().section("g").fairness().get("equalized_odds_difference"));
                f.put("demographic_parity_source", r.source().section("g").fairness().get("demographic_parity_difference"));
                f.put("equalized_odds_source", r.source().section("g").fairness().get("equalized_odds_difference"));
                for (String s : STATISTICS) {
                    Figure x = f.get(s);
                    double t = truth.get(s);
                    boolean ok = x.interval() != null && x.interval().low() <= t && t <= x.interval().high();
                    in.computeIfAbsent(s, k -> new java.util.concurrent.atomic.DoubleAdder()).add(ok ? 1 : 0);
                    wide.computeIfAbsent(s, k -> new java.util.concurrent.atomic.DoubleAdder())
                            .add(x.interval() == null ? 0 : x.interval().high() - x.interval().low());
                }
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
        for (String s : STATISTICS) {
            covered.put(s, in.get(s).sum());
            width.put(s, wide.get(s).sum());
        }
        covered.replaceAll((k, v) -> v / datasets);
        width.replaceAll((k, v) -> v / datasets);
        return new Coverage(datasets, rows, iterations, method, covered, width);
    }

    /** {@code CoverageSimulation [datasets] [iterations] [rows,rows,...] [threads]}: prints coverage per method and size. */
    public static void main(String[] args) {
        int datasets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        String sizes = args.length > 2 ? args[2] : "400,4000";
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        System.out.println("truth: " + truth());
        for (String size : sizes.split(",")) {
            for (IntervalMethod m : List.of(IntervalMethod.AUTO, IntervalMethod.BCA, IntervalMethod.PERCENTILE)) {
                long t0 = System.nanoTime();
                Coverage c = run(datasets, Integer.parseInt(size), iterations, m, 20261201L, threads);
                System.out.printf(Locale.ROOT, "%s  (%.0f s)%n", c.line(), (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
