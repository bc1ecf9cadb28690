package dev.quantgate.jobs;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.model.Variant;
import dev.quantgate.policy.service.PolicyService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a model version into one job per variant of the policy that selects its model, in the caller's
 * transaction (no network call): idempotent on (model, version, spec hash), so a redelivery, a poll of the same
 * change or a restart plans nothing new. A registration reaches it once {@link SourceInspections} has found the
 * version's flavor to be onnx; a hand plan through {@link JobsService}. Each new job's MLflow run is created through the outbox;
 * the job is queued when MLflow confirms it ({@link JobRuns}).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class Planner {

    static final String ACTOR = "quantgate-jobs";
    private static final String INSERT = """
            INSERT INTO quantization_job (model_name, version, scheme, spec_json, spec_sha256, policy_name,
                policy_sha256, requirement, cpu_fallback, state, attempts, next_attempt_at, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'preparing', 0, ?10, ?10, ?10)
            ON CONFLICT (model_name, version, spec_sha256) DO NOTHING RETURNING id""";

    /** What planning a version did: the jobs it created now, and every job the version has. */
    public record Planned(List<Long> created, List<Long> jobs) {
    }

    private final EntityManager em;
    private final PolicyService policies;
    private final MlflowOutbox outbox;
    private final SourceStatus status;
    private final AuditLog audit;
    private final JobsConfig config;
    private final Clock clock;

    public Planner(EntityManager em, PolicyService policies, MlflowOutbox outbox, SourceStatus status, AuditLog audit,
                   JobsConfig config, Clock clock) {
        this.em = em;
        this.policies = policies;
        this.outbox = outbox;
        this.status = status;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /** Creates the version's missing jobs under this policy version (an engineer's hand plan, or a registration). */
    public Planned plan(String model, int version, PolicyVersion policy, String actor) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<Long> created = new ArrayList<>();
        for (Variant variant : policy.policy().variants()) {
            List<?> ids = em.createNativeQuery(INSERT)
                    .setParameter(1, model).setParameter(2, version).setParameter(3, variant.spec().scheme().id())
                    .setParameter(4, variant.spec().toCanonicalJson()).setParameter(5, variant.spec().sha256())
                    .setParameter(6, policy.name()).setParameter(7, policy.sha256())
                    .setParameter(8, variant.worker().id()).setParameter(9, variant.cpuFallback())
                    .setParameter(10, now)
                    .getResultList();
            for (Object id : ids) {
                long jobId = ((Number) id).longValue();
                created.add(jobId);
                createRun(model, version, jobId, variant, policy, actor);
            }
        }
        if (!created.isEmpty()) {
            status.status(model, version, "planned");
        }
        List<Long> all = JobEntity.ofVersion(model, version).stream().map(j -> j.id).toList();
        return new Planned(created, all);
    }

    private void createRun(String model, int version, long jobId, Variant variant, PolicyVersion policy,
                           String actor) {
        String scheme = variant.spec().scheme().id();
        Map<String, String> tags = new LinkedHashMap<>();
        // the write adds quantgate.job_id and quantgate.source_version (model/version) itself
        tags.put("quantgate.source_model", model);
        tags.put("quantgate.scheme", scheme);
        outbox.enqueue(new MlflowWrite.CreateJobRun(model, Integer.toString(version), jobId, config.experiment(),
                model + "-v" + version + "-" + scheme, tags), actor);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("model", model);
        payload.put("version", version);
        payload.put("scheme", scheme);
        payload.put("spec_sha256", variant.spec().sha256());
        payload.put("policy", policy.name());
        payload.put("policy_sha256", policy.sha256());
        payload.put("requirement", variant.worker().id());
        audit.append(actor, "job.planned", "job:" + jobId, payload);
    }
}
