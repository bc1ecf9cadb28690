package dev.quantgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.quantize.external.ExternalModels;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.FakeTracking;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static dev.quantgate.worker.BenchStack.fmt;
import static dev.quantgate.worker.BenchStack.ms;
import static dev.quantgate.worker.BenchStack.percentile;

/**
 * Benchmark (not a test; {@code bench/queue-burst.sh} runs it): COUNT model-version registrations arrive as signed
 * {@code model_version.created} webhooks in one burst at the packaged server (role {@code server}) with two worker
 * processes; each version is the Adult MLP as MLflow 3 logs it with a small evaluation set, under a policy with one
 * or two variants. It checks that every job succeeded exactly once (jobs API, evidence, the fake MLflow's runs and
 * versions, the workers' own job-timings lines) and prints each worker's utilisation from its first lease to its
 * last report, the idle gaps between its jobs, and the time its lease, heartbeat and report calls took. Arguments:
 * work folder, COUNT (default 200), variants 1 or 2 (default 2), evaluation rows (default 300).
 */
public final class QueueBurstBench {

    private static final int MODELS = 50;

    private QueueBurstBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "bench/out/queue-burst");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int variants = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int rows = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        List<String> schemes = List.of("int8-dynamic", "fp16").subList(0, variants);
        int expectedJobs = count * variants;
        boolean ok;
        try (BenchStack stack = new BenchStack(work)) {
            List<Registration> registrations = register(stack.mlflow, work.resolve("files"), count, rows);
            stack.startServer("server", "burst", policy(schemes));
            String token = stack.workerToken();
            stack.startWorker("worker-a", token);
            stack.startWorker("worker-b", token);
            System.out.printf("%d registrations over %d models, %d variant(s) each (%s), %d evaluation rows, "
                    + "bootstrap 50; server + 2 worker processes started%n", count, MODELS, variants, schemes, rows);

            Instant[] accepted = burst(stack, registrations);
            Instant first = Stream.of(accepted).min(Comparator.naturalOrder()).orElseThrow();
            Instant last = Stream.of(accepted).max(Comparator.naturalOrder()).orElseThrow();
            System.out.printf("burst: %d webhooks accepted (202) in %.2f s%n", count,
                    Duration.between(first, last).toNanos() / 1e9);

            Instant deadline = Instant.now().plus(Duration.ofMinutes(20));
            List<JsonNode> jobs;
            while (true) {
                jobs = stack.jobs(null);
                long done = jobs.stream().filter(j -> Set.of("succeeded", "failed", "parked")
                        .contains(j.path("state").asText())).count();
                if ((jobs.size() == expectedJobs && done == expectedJobs
                        && variantVersions(stack.mlflow, registrations).size() == expectedJobs)
                        || Instant.now().isAfter(deadline)) {
                    break;
                }
                Thread.sleep(1000);
            }
            Instant drained = Instant.now();
            ok = verify(stack, registrations, jobs, schemes);
            Instant lastEvidence = registrations.stream().flatMap(r -> stack.evidence(r.model, r.version).stream())
                    .map(e -> Instant.parse(e.path("recordedAt").asText())).max(Comparator.naturalOrder()).orElse(first);
            System.out.printf("registration -> last evidence recorded: %.1f s (server clock); -> every variant version"
                            + " seen in MLflow: <= %.1f s%n", Duration.between(first, lastEvidence).toMillis() / 1e3,
                    Duration.between(first, drained).toMillis() / 1e3);
            ok &= workers(stack.timings(), expectedJobs);
        }
        System.out.println(ok ? "RESULT: PASS" : "RESULT: FAIL");
        System.exit(ok ? 0 : 1);
    }

    record Registration(String model, int version, String loggedModel) {
    }

    static String policy(List<String> schemes) {
        StringBuilder variants = new StringBuilder();
        schemes.forEach(s -> variants.append("    - {scheme: ").append(s).append("}\n"));
        return """
                apiVersion: quantgate.dev/v1
                kind: QuantizationPolicy
                metadata: {name: burst, description: "Queue benchmark: small Adult models, one burst"}
                spec:
                  selector: {models: ["burst-*"]}
                  evaluation:
                    dataset: {tag: quantgate.eval_dataset}
                    label: income
                    positive: ">50K"
                    classes: [">50K", "<=50K"]
                    sensitive: [sex, race]
                    intersections: true
                    bootstrap: 50
                    min_group_size: 30
                  variants:
                """ + variants;
    }

    /** COUNT versions over {@link #MODELS} models, each logged as MLflow 3 logs the Adult MLP, with its dataset tag. */
    private static List<Registration> register(FakeMlflow mlflow, Path dir, int count, int rows) throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        ExternalModels.saveLikeMlflow(WorkerFixtures.model(), source);
        WorkerFixtures.finishModelDir(source, WorkerFixtures.featureColumns());
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> each = Files.list(source)) {
            for (Path f : each.toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        Path dataset = dir.resolve("adult.csv");
        WorkerFixtures.writeCsv(dataset, 0, rows);
        byte[] csv = Files.readAllBytes(dataset);
        List<Registration> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String model = "burst-" + (i % MODELS);
            FakeTracking.RunState training = mlflow.createRun("training", "train-" + model);
            FakeTracking.LoggedModel logged = mlflow.logModel(training, "model");
            files.forEach((name, bytes) -> mlflow.putArtifact(logged.artifactUri() + "/" + name, bytes));
            mlflow.putArtifact(training.artifactUri() + "/eval/adult.csv", csv);
            FakeMlflow.VersionState v = mlflow.createVersionFrom(model, "models:/" + logged.id(), training.id);
            mlflow.setTag(model, v.version, "quantgate.eval_dataset", "eval/adult.csv");
            all.add(new Registration(model, v.version, logged.id()));
        }
        return all;
    }

    /** Every registration's webhook at once, over 16 connections; answers when each was accepted. */
    private static Instant[] burst(BenchStack stack, List<Registration> registrations) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(16);
        try {
            List<Future<Instant>> sent = new ArrayList<>();
            for (Registration r : registrations) {
                sent.add(senders.submit(() -> stack.deliver(BenchStack.createdDelivery(r.model, r.version, r.loggedModel))));
            }
            Instant[] accepted = new Instant[sent.size()];
            for (int i = 0; i < accepted.length; i++) {
                accepted[i] = sent.get(i).get();
            }
            return accepted;
        } finally {
            senders.shutdown();
        }
    }

    private static List<FakeMlflow.VersionState> variantVersions(FakeMlflow mlflow, List<Registration> registrations) {
        return registrations.stream().map(Registration::model).distinct().flatMap(m -> mlflow.versionsOf(m).stream())
                .filter(v -> v.tags.containsKey("quantgate.job_id")).toList();
    }

    private static boolean verify(BenchStack stack, List<Registration> registrations, List<JsonNode> jobs,
                                  List<String> schemes) throws Exception {
        int expected = registrations.size() * schemes.size();
        boolean ok = true;
        Map<String, Integer> states = new TreeMap<>();
        jobs.forEach(j -> states.merge(j.path("state").asText(), 1, Integer::sum));
        long once = jobs.stream().filter(j -> j.path("attempts").asInt() == 1).count();
        Map<String, Set<String>> schemesByVersion = new HashMap<>();
        jobs.forEach(j -> schemesByVersion.computeIfAbsent(j.path("model").asText() + "/" + j.path("version").asText(),
                k -> new HashSet<>()).add(j.path("scheme").asText()));
        long fullyPlanned = registrations.stream().filter(r -> Set.copyOf(schemes)
                .equals(schemesByVersion.get(r.model + "/" + r.version))).count();
        ok &= check(jobs.size() == expected, fmt("jobs: %d (expected %d), states %s", jobs.size(), expected, states));
        ok &= check(states.getOrDefault("succeeded", 0) == expected, "every job succeeded");
        ok &= check(once == expected, fmt("jobs leased exactly once (attempts = 1): %d of %d", once, jobs.size()));
        ok &= check(fullyPlanned == registrations.size(), fmt("registrations planned with every variant, none lost: "
                + "%d of %d", fullyPlanned, registrations.size()));

        Set<Long> jobIds = new HashSet<>();
        jobs.forEach(j -> jobIds.add(j.path("id").asLong()));
        Map<Long, Integer> evidenceByJob = new HashMap<>();
        int evidence = 0;
        for (Registration r : registrations) {
            for (JsonNode e : stack.evidence(r.model, r.version)) {
                evidence++;
                evidenceByJob.merge(e.path("jobId").asLong(), 1, Integer::sum);
            }
        }
        ok &= check(evidence == expected && evidenceByJob.keySet().equals(jobIds)
                        && evidenceByJob.values().stream().allMatch(n -> n == 1),
                fmt("evidence records: %d, one per job: %s", evidence, evidenceByJob.keySet().equals(jobIds)
                        && evidenceByJob.values().stream().allMatch(n -> n == 1)));

        Map<String, Integer> runsByJob = new HashMap<>();
        stack.mlflow.runs().stream().filter(r -> r.tags.containsKey("quantgate.job_id"))
                .forEach(r -> runsByJob.merge(r.tags.get("quantgate.job_id"), 1, Integer::sum));
        long finished = stack.mlflow.runs().stream().filter(r -> r.tags.containsKey("quantgate.job_id")
                && "FINISHED".equals(r.status)).count();
        Map<String, Integer> versionsByJob = new HashMap<>();
        variantVersions(stack.mlflow, registrations)
                .forEach(v -> versionsByJob.merge(v.tags.get("quantgate.job_id"), 1, Integer::sum));
        Set<String> ids = new HashSet<>();
        jobIds.forEach(id -> ids.add(Long.toString(id)));
        ok &= check(runsByJob.keySet().equals(ids) && runsByJob.values().stream().allMatch(n -> n == 1)
                && finished == expected, fmt("MLflow runs: %d for %d jobs, %d FINISHED, duplicates: %d",
                runsByJob.values().stream().mapToInt(Integer::intValue).sum(), runsByJob.size(), finished,
                runsByJob.values().stream().filter(n -> n > 1).count()));
        ok &= check(versionsByJob.keySet().equals(ids) && versionsByJob.values().stream().allMatch(n -> n == 1),
                fmt("MLflow variant versions: %d for %d jobs, duplicates: %d",
                        versionsByJob.values().stream().mapToInt(Integer::intValue).sum(), versionsByJob.size(),
                        versionsByJob.values().stream().filter(n -> n > 1).count()));

        Map<String, Integer> runsReported = new HashMap<>();
        stack.timings().forEach(t -> runsReported.merge(t.get("job"), 1, Integer::sum));
        ok &= check(runsReported.keySet().equals(ids) && runsReported.values().stream().allMatch(n -> n == 1),
                fmt("worker job-timings lines: %d for %d jobs (each job run once by one worker)",
                        runsReported.values().stream().mapToInt(Integer::intValue).sum(), runsReported.size()));
        return ok;
    }

    /** Per worker: utilisation over its first lease to its last report, the gaps between jobs, the queue calls. */
    private static boolean workers(List<Map<String, String>> timings, int expectedJobs) {
        Map<String, List<Map<String, String>>> byWorker = new TreeMap<>();
        timings.forEach(t -> byWorker.computeIfAbsent(t.get("worker"), k -> new ArrayList<>()).add(t));
        boolean ok = byWorker.size() == 2;
        Map<String, Double> stages = new TreeMap<>();
        List<Double> runs = new ArrayList<>();
        for (var entry : byWorker.entrySet()) {
            List<Map<String, String>> jobs = entry.getValue();
            jobs.sort(Comparator.comparing(t -> Instant.parse(t.get("leased_at"))));
            double run = 0;
            double window = 0;
            double lease = 0;
            double leaseWait = 0;
            double heartbeat = 0;
            double report = 0;
            double reportWait = 0;
            double firstLeaseWait = jobs.isEmpty() ? 0 : ms(jobs.get(0).get("lease_wait_ms"));
            int beats = 0;
            List<Double> gaps = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                Map<String, String> t = jobs.get(i);
                run += ms(t.get("run_ms"));
                runs.add(ms(t.get("run_ms")));
                window += ms(t.get("cycle_ms"));
                lease += ms(t.get("lease_ms"));
                leaseWait += ms(t.get("lease_wait_ms"));
                heartbeat += ms(t.get("heartbeat_ms"));
                report += ms(t.get("report_ms"));
                // the previous job's report, waited for at hand-over and (with its uploads) before benchmarking
                reportWait += ms(t.get("report_wait_ms")) + ms(t.get("upload_wait_ms"));
                beats += Integer.parseInt(t.get("heartbeats"));
                if (i > 0) {
                    double gap = ms(t.get("idle_before_ms"));
                    gaps.add(gap);
                    window += gap;
                }
                t.forEach((k, v) -> {
                    if (k.endsWith("ing_ms")) {
                        stages.merge(k.substring(0, k.length() - 3), ms(v), Double::sum);
                    }
                });
            }
            gaps.sort(Comparator.naturalOrder());
            double utilisation = run / window * 100;
            double blocking = (leaseWait + reportWait) / run * 100;
            double blockingAfterFirst = (leaseWait - firstLeaseWait + reportWait) / run * 100;
            double calls = (lease + heartbeat + report) / run * 100;
            double housekeeping = window - run - leaseWait - reportWait
                    - gaps.stream().mapToDouble(Double::doubleValue).sum();
            System.out.printf("%s: %d jobs; busy %.1f s of %.1f s from its first lease to its last job's end: "
                            + "utilisation %.1f %%%n", entry.getKey(), jobs.size(), run / 1e3, window / 1e3, utilisation);
            System.out.printf("  idle gaps between jobs (one job handed to the reporter -> the next one sought): %d, p50 %.1f ms, max %.1f ms,"
                            + " sum %.2f s; gaps over 1 s: %d%n", gaps.size(), percentile(gaps, 50),
                    gaps.isEmpty() ? 0 : gaps.get(gaps.size() - 1), gaps.stream().mapToDouble(Double::doubleValue).sum()
                            / 1e3, gaps.stream().filter(g -> g > 1000).count());
            System.out.printf("  queue calls the job thread waited for: lease %.2f s + previous report and its uploads %.2f s"
                    + " = %.2f %% of job time; work directory and hand-over %.2f s%n", leaseWait / 1e3, reportWait / 1e3,
                    blocking, housekeeping / 1e3);
            System.out.printf("    of which the worker's first lease (cold, before any job ran) %.2f s; after it %.2f %%"
                    + " of job time%n", firstLeaseWait / 1e3, blockingAfterFirst);
            System.out.printf("  every queue call, on any thread: lease %.2f s (made ahead while the previous job"
                    + " benchmarked and evaluated), %d heartbeats %.2f s, report %.2f s (made while the next job ran) = %.2f %% of job"
                    + " time%n", lease / 1e3, beats, heartbeat / 1e3,
                    report / 1e3, calls);
            ok &= check(utilisation > 90, fmt("  %s utilisation > 90 %% while work was queued", entry.getKey()));
            ok &= check(blockingAfterFirst < 1, fmt("  %s waits for lease + report < 1 %% of job time after its first"
                    + " lease (%.2f %% with it)", entry.getKey(), blocking));
        }
        runs.sort(Comparator.naturalOrder());
        StringBuilder s = new StringBuilder();
        stages.forEach((k, v) -> s.append(fmt(" %s %.1f s", k, v / 1e3)));
        System.out.printf("job run time p50 %.0f ms, p95 %.0f ms, max %.0f ms; summed per stage:%s%n",
                percentile(runs, 50), percentile(runs, 95), runs.isEmpty() ? 0 : runs.get(runs.size() - 1), s);
        ok &= check(timings.size() == expectedJobs, fmt("job-timings lines: %d of %d jobs", timings.size(), expectedJobs));
        return ok;
    }

    private static boolean check(boolean holds, String what) {
        System.out.println((holds ? "ok    " : "FAIL  ") + what);
        return holds;
    }
}
