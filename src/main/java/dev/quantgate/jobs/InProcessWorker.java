package dev.quantgate.jobs;

import dev.quantgate.evaluation.benchmark.BenchmarkOptions;
import dev.quantgate.worker.ArtifactCache;
import dev.quantgate.worker.ArtifactPort;
import dev.quantgate.worker.CachedArtifacts;
import dev.quantgate.worker.JobExecutor;
import dev.quantgate.worker.WorkerInfo;
import dev.quantgate.worker.WorkerLoop;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Role {@code all}: one CPU worker inside the server, leasing straight from the {@link JobQueue} (no HTTP) and
 * fetching artifacts through MLflow like any other worker, so a single {@code java -jar} runs the whole pipeline.
 * {@code quantgate.worker.in-process=false} turns it off (the tests that lease by hand do).
 */
@ApplicationScoped
public class InProcessWorker {

    private static final Logger LOG = Logger.getLogger(InProcessWorker.class);

    private final ProcessRole role;
    private final JobQueue queue;
    private final ArtifactPort artifacts;
    private final boolean enabled;
    private final Path workRoot;
    private final BenchmarkOptions benchmark;
    private final Path cacheDir;
    private final long cacheMaxBytes;
    private final boolean fetchAhead;
    private volatile WorkerLoop loop;

    public InProcessWorker(ProcessRole role, JobQueue queue, ArtifactPort artifacts,
                           @ConfigProperty(name = "quantgate.worker.in-process", defaultValue = "true") boolean enabled,
                           @ConfigProperty(name = "quantgate.worker.work-dir", defaultValue = "data/work") Path workRoot,
                           @ConfigProperty(name = "quantgate.worker.benchmark.warmups", defaultValue = "20") int warmups,
                           @ConfigProperty(name = "quantgate.worker.benchmark.latency-runs", defaultValue = "200") int latencyRuns,
                           @ConfigProperty(name = "quantgate.worker.benchmark.throughput-runs", defaultValue = "20")
                           int throughputRuns,
                           @ConfigProperty(name = "quantgate.worker.cache-dir") Optional<Path> cacheDir,
                           @ConfigProperty(name = "quantgate.worker.cache.max-bytes", defaultValue = "4294967296")
                           long cacheMaxBytes,
                           @ConfigProperty(name = "quantgate.worker.fetch-ahead", defaultValue = "true") boolean fetchAhead) {
        this.role = role;
        this.queue = queue;
        this.artifacts = artifacts;
        this.enabled = enabled;
        this.workRoot = workRoot;
        this.cacheDir = cacheDir.orElse(workRoot.resolve(".cache"));
        this.cacheMaxBytes = cacheMaxBytes;
        this.fetchAhead = fetchAhead;
        BenchmarkOptions d = BenchmarkOptions.defaults();
        this.benchmark = new BenchmarkOptions(warmups, latencyRuns, d.throughputBatch(), throughputRuns, d.intraOpThreads(),
                d.dimensions(), d.defaultDimension(), d.seed());
    }

    void start(@Observes StartupEvent event) {
        if (!role.runsInProcessWorker() || !enabled) {
            return;
        }
        ArtifactCache cache;
        try {
            Files.createDirectories(workRoot);
            cache = ArtifactCache.open(cacheDir, cacheMaxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the worker's work directory " + workRoot + " or its cache "
                    + cacheDir, e);
        }
        WorkerInfo info = WorkerInfo.detect("in-process-" + ProcessHandle.current().pid(), "cpu");
        WorkerLoop worker = new WorkerLoop(info, queue, CachedArtifacts.over(artifacts, cache),
                new JobExecutor(info, settings()),
                WorkerLoop.Settings.defaults(workRoot).withFetchAhead(fetchAhead), null);
        queue.onWork(worker::wake);
        worker.start();
        loop = worker;
        LOG.infof("In-process worker %s started (work directory %s, download cache %s)", info.id(),
                workRoot.toAbsolutePath(), cache.enabled() ? cacheDir.toAbsolutePath() + " up to " + cacheMaxBytes
                        + " bytes" : "off");
    }

    void stop(@Observes ShutdownEvent event) {
        WorkerLoop worker = loop;
        if (worker != null) {
            worker.stop(Duration.ofSeconds(10));
        }
    }

    private JobExecutor.Settings settings() {
        JobExecutor.Settings d = JobExecutor.Settings.defaults();
        return new JobExecutor.Settings(d.maxArtifactBytes(), benchmark, d.threads(), d.output());
    }

    /** Whether the in-process worker is running (readiness and tests). */
    public boolean running() {
        WorkerLoop worker = loop;
        return worker != null && worker.running();
    }
}
