package dev.quantgate.worker;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.quantgate.worker.BenchStack.ms;

/**
 * Benchmark (not a test; {@code bench/pipeline-adult.sh} runs it after {@link PipelineBench}): the Adult MLP
 * registered in the fake MLflow as MLflow 3 logs it (all 48,842 rows as its evaluation set), one signed
 * {@code model_version.created} webhook to the packaged jar in role {@code all} (one in-process worker, default
 * settings), and the four variants of {@link PipelineTestProfile#POLICY} with 1,000 bootstrap iterations. Measured
 * from the webhook's 202 to the last evidence recorded (server clock), split into the worker's stages (its
 * {@code job-timings} lines in the server log) and everything else: planning, run creation through the outbox, queue
 * waits, lease and report. Each repetition registers a new version of the same model in the same server, so the
 * first is cold and the next are warm. Arguments: work folder, repetitions (default 2).
 */
public final class PipelineServerBench {

    private static final String MODEL = "adult-bench";

    private PipelineServerBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "bench/out/pipeline-server");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean ok = true;
        try (BenchStack stack = new BenchStack(work)) {
            List<RegisteredAdult> versions = new ArrayList<>();
            for (int rep = 1; rep <= reps; rep++) {
                versions.add(RegisteredAdult.register(stack.mlflow, MODEL, Files.createDirectories(work.resolve("v" + rep)),
                        true));
            }
            String extra = System.getProperty("bench.server.properties", "");
            stack.startServer("all", "adult-income", PipelineTestProfile.POLICY.replace("bootstrap: 50", "bootstrap: 1000"),
                    extra.isBlank() ? new String[0] : extra.trim().split("\\s+"));
            System.out.println("server properties beyond the defaults: " + (extra.isBlank() ? "none" : extra.trim()));
            for (int rep = 1; rep <= reps; rep++) {
                ok &= once(stack, rep, versions.get(rep - 1));
            }
        }
        System.out.println(ok ? "RESULT: PASS" : "RESULT: FAIL");
        System.exit(ok ? 0 : 1);
    }

    private static boolean once(BenchStack stack, int rep, RegisteredAdult adult) throws Exception {
        int version = adult.version().version;
        Instant accepted = stack.deliver(adult.createdDelivery());
        Instant deadline = accepted.plus(Duration.ofMinutes(10));
        List<JsonNode> evidence;
        do {
            Thread.sleep(200);
            evidence = stack.evidence(MODEL, version);
        } while (evidence.size() < 4 && Instant.now().isBefore(deadline));
        if (evidence.size() != 4) {
            System.out.printf("rep %d: %d evidence records of 4 within 10 minutes%n", rep, evidence.size());
            return false;
        }
        Instant lastEvidence = evidence.stream().map(e -> Instant.parse(e.path("recordedAt").asText()))
                .max(Comparator.naturalOrder()).orElseThrow();
        List<JsonNode> jobs = stack.jobs(MODEL).stream().filter(j -> j.path("version").asText().equals(
                Integer.toString(version))).map(j -> stack.job(j.path("id").asLong())).toList();
        Map<String, Map<String, String>> timings = new LinkedHashMap<>();
        stack.timings().forEach(t -> timings.put(t.get("job"), t));
        double total = Duration.between(accepted, lastEvidence).toNanos() / 1e6;
        Instant firstCreated = jobs.stream().map(j -> Instant.parse(j.path("createdAt").asText()))
                .min(Comparator.naturalOrder()).orElseThrow();
        Instant firstLease = null;
        double jobThread = 0; // the worker's time on the four jobs: cycles and the idle time between them
        Map<String, Double> stages = new LinkedHashMap<>();
        for (Progress.Stage s : Progress.Stage.values()) {
            stages.put(s.name().toLowerCase(), 0.0);
        }
        double lease = 0;
        double report = 0;
        double upload = 0;
        double heartbeat = 0;
        double queueWait = 0;
        System.out.printf("rep %d (version %d): webhook accepted -> last evidence recorded %.2f s%n", rep, version,
                total / 1e3);
        for (JsonNode j : jobs.stream().sorted(Comparator.comparing(j -> j.path("id").asLong())).toList()) {
            Map<String, String> t = timings.get(j.path("id").asText());
            if (t == null) {
                System.out.printf("  job %s has no job-timings line%n", j.path("id").asText());
                return false;
            }
            Instant leasedAt = Instant.parse(t.get("leased_at"));
            Instant created = Instant.parse(j.path("createdAt").asText());
            firstLease = firstLease == null || leasedAt.isBefore(firstLease) ? leasedAt : firstLease;
            jobThread += ms(t.get("cycle_ms")) + (firstLease.equals(leasedAt) ? 0 : ms(t.get("idle_before_ms")));
            double waited = Duration.between(created, leasedAt).toNanos() / 1e6;
            queueWait += waited;
            lease += ms(t.get("lease_wait_ms"));
            report += ms(t.get("report_ms"));
            heartbeat += ms(t.get("heartbeat_ms"));
            StringBuilder line = new StringBuilder();
            for (Progress.Stage s : Progress.Stage.values()) {
                String key = s.name().toLowerCase();
                double v = ms(t.get(key + "_ms"));
                stages.merge(key, v, Double::sum);
                line.append(BenchStack.fmt(" %s %.2f", key, v / 1e3));
            }
            upload += ms(t.get("upload_ms"));
            System.out.printf("  %-17s planned->leased %.2f s | run %.2f s:%s | upload %.2f s (reporter thread), waited"
                            + " for the previous upload %.0f ms | lease wait %.0f ms, report %.0f ms, state %s%n",
                    j.path("scheme").asText(), waited / 1e3, ms(t.get("run_ms")) / 1e3, line,
                    ms(t.get("upload_ms")) / 1e3, ms(t.get("upload_wait_ms")), ms(t.get("lease_wait_ms")),
                    ms(t.get("report_ms")), j.path("state").asText());
        }
        double work = stages.get("quantizing") + stages.get("benchmarking") + stages.get("evaluating");
        double beforeFirstLease = Duration.between(accepted, firstLease).toNanos() / 1e6;
        double planning = Duration.between(accepted, firstCreated).toNanos() / 1e6;
        double afterLastReport = Duration.between(firstLease, lastEvidence).toNanos() / 1e6 - jobThread;
        StringBuilder sum = new StringBuilder();
        stages.forEach((k, v) -> sum.append(BenchStack.fmt(" %s %.2f s (%.1f %%)", k, v / 1e3, v / total * 100)));
        System.out.printf("  stages summed over the four jobs:%s; uploads on the reporter thread %.2f s%n", sum,
                upload / 1e3);
        System.out.printf("  server side: webhook -> jobs planned %.2f s, -> first lease %.2f s (run created through the"
                        + " outbox, queued); waits for leases %.0f ms, report calls %.0f ms (made while the next job ran), heartbeats %.0f ms;"
                        + " last job handed to the reporter -> its evidence recorded %.0f ms; jobs planned->leased summed %.2f s%n", planning / 1e3,
                beforeFirstLease / 1e3, lease, report, heartbeat, Math.max(0, afterLastReport), queueWait / 1e3);
        double overhead = (total - work) / total * 100;
        System.out.printf("  quantize + benchmark + evaluate %.2f s of %.2f s: pipeline overhead %.1f %% (target < 10 %%);"
                        + " total %s 20 s%n", work / 1e3, total / 1e3, overhead, total < 20_000 ? "under" : "OVER");
        boolean succeeded = jobs.size() == 4 && jobs.stream().allMatch(j -> "succeeded".equals(j.path("state").asText()));
        if (!succeeded) {
            System.out.println("  not every job succeeded: " + jobs);
        }
        return succeeded;
    }
}
