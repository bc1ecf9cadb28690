package dev.quantgate.worker;

import dev.quantgate.evaluation.benchmark.BenchmarkOptions;
import dev.quantgate.policy.model.DatasetRef;
import dev.quantgate.policy.model.Evaluation;
import dev.quantgate.quantize.OutputOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark (not a test; {@code bench/pipeline-adult.sh} runs it): one Adult model through the worker's four
 * variants as the in-process worker runs them — download, quantize, benchmark, evaluate (all 48,842 rows,
 * 1,000 bootstrap iterations, sex and race and their intersection), upload — timing each stage from the worker's own
 * progress events. Artifacts move through a local-filesystem port, so the figures are the worker's work without
 * network transfer. Arguments: output folder, repetitions (default 2).
 */
public final class PipelineBench {

    private PipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/out/pipeline"));
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path source = WorkerFixtures.modelDir(out.resolve("source"), WorkerFixtures.model(), WorkerFixtures.featureColumns());
        Path dataset = out.resolve("adult-all.csv");
        WorkerFixtures.writeAllRows(dataset);
        Path calibration = out.resolve("calibration.csv");
        WorkerFixtures.writeCsv(calibration, 0, WorkerFixtures.CALIBRATION_ROWS);
        Evaluation evaluation = new Evaluation(DatasetRef.tag(Evaluation.DEFAULT_DATASET_TAG), "income", ">50K",
                List.of(">50K", "<=50K"), List.of("sex", "race"), Map.of(), true, 1000, 30, 0.5, 1024, 7);
        WorkerInfo worker = WorkerInfo.detect("bench", "cpu");
        JobExecutor executor = new JobExecutor(worker, new JobExecutor.Settings(1L << 30, BenchmarkOptions.defaults(), 2,
                OutputOptions.DEFAULTS));
        LocalArtifactPort artifacts = new LocalArtifactPort();
        long id = 0;
        for (int rep = 1; rep <= reps; rep++) {
            long all = System.nanoTime();
            Map<Progress.Stage, Long> total = new EnumMap<>(Progress.Stage.class);
            for (String scheme : List.of("int8-dynamic", "int8-static", "fp16", "int4-weight-only")) {
                JobAssignment job = WorkerFixtures.job(++id, "{\"scheme\":\"" + scheme + "\"}", source.toUri().toString(),
                        dataset.toUri().toString(), calibration.toUri().toString(), out.resolve("runs"), evaluation);
                List<long[]> marks = new ArrayList<>();
                Path work = Files.createDirectories(out.resolve("work-" + id));
                long start = System.nanoTime();
                JobOutcome outcome = executor.execute(job, artifacts, work,
                        p -> marks.add(new long[]{p.stage().ordinal(), System.nanoTime()}));
                long end = System.nanoTime();
                DirectoryManifest.deleteTree(work);
                if (!(outcome instanceof JobOutcome.Succeeded)) {
                    throw new IllegalStateException(scheme + ": " + outcome);
                }
                Map<Progress.Stage, Long> stages = new EnumMap<>(Progress.Stage.class);
                for (int i = 0; i < marks.size(); i++) {
                    long until = i + 1 < marks.size() ? marks.get(i + 1)[1] : end;
                    Progress.Stage stage = Progress.Stage.values()[(int) marks.get(i)[0]];
                    stages.merge(stage, until - marks.get(i)[1], Long::sum);
                }
                stages.forEach((s, ns) -> total.merge(s, ns, Long::sum));
                System.out.printf("rep %d %-17s %6.2f s  %s%n", rep, scheme, (end - start) / 1e9, seconds(stages));
            }
            System.out.printf("rep %d all four        %6.2f s  %s%n", rep, (System.nanoTime() - all) / 1e9, seconds(total));
        }
    }

    private static String seconds(Map<Progress.Stage, Long> stages) {
        StringBuilder sb = new StringBuilder();
        stages.forEach((s, ns) -> sb.append(s.name().toLowerCase()).append(' ').append(String.format("%.2f s  ", ns / 1e9)));
        return sb.toString().trim();
    }
}
