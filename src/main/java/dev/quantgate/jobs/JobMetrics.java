package dev.quantgate.jobs;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The job queue in Micrometer: {@code quantgate_jobs_queued{requirement}} (what KEDA scales the worker
 * Deployments on, see {@code deploy/kubernetes/scaledobjects.yaml}), {@code quantgate_jobs{state}}, and
 * {@code quantgate_job_duration{scheme,stage}} (each stage as heartbeats report it, and {@code total}), and
 * {@code quantgate_source_inspections{state}} (registered versions by what reading their {@code MLmodel} found;
 * {@code pending} grows while MLflow cannot be read, and nothing new is planned meanwhile).
 * The counts are read from PostgreSQL at most once a second, whoever scrapes.
 */
@Startup
@ApplicationScoped
public class JobMetrics {

    private static final Logger LOG = Logger.getLogger(JobMetrics.class);
    private static final long REFRESH_NANOS = Duration.ofSeconds(1).toNanos();

    private final MeterRegistry meters;
    private final AgroalDataSource dataSource;
    private volatile Map<String, Long> counts = Map.of();
    private volatile long readAt;

    public JobMetrics(MeterRegistry meters, AgroalDataSource dataSource) {
        this.meters = meters;
        this.dataSource = dataSource;
        for (String requirement : new String[]{"cpu", "gpu"}) {
            Gauge.builder("quantgate_jobs_queued", this, m -> m.count(JobState.QUEUED.id(), requirement))
                    .description("Jobs waiting for a worker, by the worker they need (the scaling signal)")
                    .tag("requirement", requirement).register(meters);
        }
        for (JobState state : JobState.values()) {
            Gauge.builder("quantgate_jobs", this, m -> m.count(state.id(), null))
                    .description("Jobs by state").tag("state", state.id()).register(meters);
        }
        for (String state : new String[]{"pending", "planned", "unsupported", "unselected"}) {
            Gauge.builder("quantgate_source_inspections", this, m -> m.count("inspection:" + state, null))
                    .description("Registered versions by what reading their MLmodel found (pending: not read yet)")
                    .tag("state", state).register(meters);
        }
    }

    /** The job left its current stage (a heartbeat named another, or it finished). */
    void stageEnded(JobEntity job, Instant now) {
        if (job.stage != null && job.stageSince != null) {
            timer(job.scheme, job.stage).record(Duration.between(job.stageSince, now));
        }
    }

    void finished(JobEntity job, Instant now) {
        stageEnded(job, now);
        if (job.startedAt != null) {
            timer(job.scheme, "total").record(Duration.between(job.startedAt, now));
        }
    }

    private Timer timer(String scheme, String stage) {
        return Timer.builder("quantgate_job_duration").description("Time jobs spend, by scheme and stage")
                .tag("scheme", scheme).tag("stage", stage.toLowerCase(Locale.ROOT)).register(meters);
    }

    private double count(String state, String requirement) {
        long now = System.nanoTime();
        if (now - readAt > REFRESH_NANOS) {
            refresh();
            readAt = now;
        }
        Map<String, Long> current = counts;
        if (requirement != null) {
            return current.getOrDefault(state + "/" + requirement, 0L);
        }
        if (state.startsWith("inspection:")) {
            return current.getOrDefault(state, 0L);
        }
        return current.getOrDefault(state + "/cpu", 0L) + current.getOrDefault(state + "/gpu", 0L);
    }

    /** Reads the counts now, whenever they were read last (tests that scrape right after a change). */
    void refreshNow() {
        refresh();
        readAt = System.nanoTime();
    }

    private void refresh() {
        Map<String, Long> read = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, requirement, count(*) FROM quantization_job"
                     + " GROUP BY state, requirement")) {
            while (rs.next()) {
                read.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
            }
            try (ResultSet inspections = s.executeQuery("SELECT state, count(*) FROM source_inspection GROUP BY state")) {
                while (inspections.next()) {
                    read.put("inspection:" + inspections.getString(1), inspections.getLong(2));
                }
            }
            counts = read;
        } catch (SQLException e) {
            LOG.debugf("Job counts not refreshed: %s", e.getMessage());
        }
    }
}
