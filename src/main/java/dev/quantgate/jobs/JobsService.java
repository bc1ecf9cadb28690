package dev.quantgate.jobs;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.jobs.dto.EvidenceLink;
import dev.quantgate.jobs.dto.JobErrorView;
import dev.quantgate.jobs.dto.JobSummary;
import dev.quantgate.jobs.dto.JobView;
import dev.quantgate.jobs.dto.PlanRequest;
import dev.quantgate.jobs.dto.PlanResult;
import dev.quantgate.policy.PolicySelection;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.service.PolicyService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The jobs API: lists and details (with what a job waits for), plans by hand, and an admin's retry. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class JobsService {

    private final EntityManager em;
    private final Planner planner;
    private final SourceInspections inspections;
    private final PolicyService policies;
    private final JobQueue queue;
    private final EvidenceStore evidence;
    private final JobsConfig config;
    private final Clock clock;

    public JobsService(EntityManager em, Planner planner, SourceInspections inspections, PolicyService policies,
                       JobQueue queue, EvidenceStore evidence, JobsConfig config, Clock clock) {
        this.em = em;
        this.planner = planner;
        this.inspections = inspections;
        this.policies = policies;
        this.queue = queue;
        this.evidence = evidence;
        this.config = config;
        this.clock = clock;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<JobSummary> list(String state, String model, String after, int limit) {
        StringBuilder query = new StringBuilder("id > :after");
        Parameters params = Parameters.with("after", Page.longCursor(after));
        if (state != null && !state.isBlank()) {
            try {
                params.and("state", JobState.parse(state).id());
            } catch (IllegalArgumentException e) {
                throw new ApiException(ErrorCode.VALIDATION_FAILED, e.getMessage());
            }
            query.append(" and state = :state");
        }
        if (model != null && !model.isBlank()) {
            query.append(" and modelName = :model");
            params.and("model", model);
        }
        Set<String> present = presentWorkers();
        List<JobSummary> rows = JobEntity.<JobEntity>find(query.toString(), Sort.by("id"), params)
                .page(0, limit + 1).list().stream().map(j -> summary(j, present)).toList();
        return Page.of(rows, limit, s -> Long.toString(s.id()));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public JobView get(long id) {
        JobEntity j = JobEntity.<JobEntity>findByIdOptional(id).orElseThrow(() -> notFound(id));
        List<EvidenceLink> links = evidence.forJob(id).stream()
                .map(sha -> new EvidenceLink(sha, EvidenceStore.href(sha))).toList();
        return new JobView(j.id, j.modelName, Integer.toString(j.version), j.scheme, j.specSha256, j.specJson,
                j.policyName, j.policySha256, j.requirement, j.cpuFallback, j.ranOnFallback, j.state, j.stage,
                j.percent, j.attempts, config.maxAttempts(), j.workerId, waitingFor(j, presentWorkers()),
                j.claimedUntil, j.nextAttemptAt, j.errorCode, j.errorMessage, errors(id), j.runId, j.runArtifactUri,
                j.variantVersion, links, j.createdAt, j.updatedAt, j.startedAt, j.finishedAt);
    }

    /**
     * Plans a mirrored version by hand, as a registration would (the same jobs, never twice): its flavor is read
     * from MLflow first when no inspection has found it yet (with no database work open meanwhile); the jobs are
     * then made in the caller's transaction, so they commit with its audit event.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public PlanResult plan(PlanRequest request, String actor) {
        int version = Integer.parseInt(request.version());
        MirroredVersion source = QuarkusTransaction.requiringNew().call(() -> plannable(request.model(), version));
        String flavor = inspections.requireQuantizable(source, actor);
        return QuarkusTransaction.joiningExisting().call(() -> {
            MirroredVersion now = plannable(request.model(), version);
            PolicyVersion policy = governing(now);
            Planner.Planned planned = planner.plan(now.model(), version, policy, actor);
            inspections.markPlanned(now.model(), version, flavor);
            Set<String> present = presentWorkers();
            List<JobSummary> jobs = planned.jobs().stream()
                    .map(id -> summary(JobEntity.findById(id), present)).toList();
            return new PlanResult(now.model(), request.version(), policy.name(), policy.sha256(), planned.created(),
                    jobs);
        });
    }

    /** The version as mirrored, if a plan can be made for it (present, not a variant, one policy selects it). */
    private MirroredVersion plannable(String model, int version) {
        MirroredVersion source = MirroredVersion.find(model, version).orElseThrow(() -> new ApiException(
                ErrorCode.MODEL_VERSION_NOT_FOUND, "The registry mirror has no version " + version
                + " of model '" + model + "'"));
        if (source.deleted()) {
            throw new ApiException(ErrorCode.NOT_PLANNABLE, "Version " + version + " of '" + model
                    + "' is gone from MLflow");
        }
        if (source.tags().containsKey(MirroredVersion.VARIANT_OF)) {
            throw new ApiException(ErrorCode.NOT_PLANNABLE, "Version " + version + " of '" + model
                    + "' is itself a QuantGate variant (tag " + MirroredVersion.VARIANT_OF + "="
                    + source.tags().get(MirroredVersion.VARIANT_OF) + ")");
        }
        governing(source);
        return source;
    }

    private PolicyVersion governing(MirroredVersion source) {
        PolicySelection selection = policies.select(source.model(), source.modelTags());
        if (selection instanceof PolicySelection.Conflict conflict) {
            throw new ApiException(ErrorCode.POLICY_CONFLICT, conflict.detail());
        }
        if (!(selection instanceof PolicySelection.Selected selected)) {
            throw new ApiException(ErrorCode.NO_POLICY, "No policy in force selects model '" + source.model()
                    + "' (see GET /api/v1/policies)");
        }
        return selected.version();
    }

    /** Puts a failed or parked job back in the queue with its attempts reset. */
    public JobView retry(long id, String actor) {
        JobEntity job = JobEntity.locked(id).orElseThrow(() -> notFound(id));
        JobState state = job.jobState();
        if (state != JobState.FAILED && state != JobState.PARKED) {
            throw new ApiException(ErrorCode.JOB_NOT_RETRYABLE, "Job " + id + " is " + job.state
                    + "; only a failed or parked job can be retried");
        }
        queue.requeue(job, actor);
        em.flush();
        return get(id);
    }

    private JobSummary summary(JobEntity j, Set<String> present) {
        return new JobSummary(j.id, j.modelName, Integer.toString(j.version), j.scheme, j.state, j.requirement,
                j.stage, j.percent, j.attempts, j.workerId, waitingFor(j, present), j.runId, j.variantVersion,
                j.updatedAt, "/api/v1/jobs/" + j.id);
    }

    /** What a job that is not running waits for (see {@link JobSummary#waitingFor()}). */
    static String waitingFor(JobEntity job, Set<String> presentWorkerKinds) {
        JobState state = job.jobState();
        if (state == JobState.PREPARING) {
            return "mlflow_run";
        }
        if (state != JobState.QUEUED || presentWorkerKinds.contains("gpu")) {
            return null;
        }
        if ("gpu".equals(job.requirement)) {
            return job.cpuFallback && presentWorkerKinds.contains("cpu") ? null : "gpu";
        }
        return presentWorkerKinds.contains("cpu") ? null : "cpu";
    }

    private Set<String> presentWorkers() {
        Instant since = clock.instant().minus(config.workerPresence());
        List<?> kinds = em.createNativeQuery("SELECT DISTINCT kind FROM job_worker WHERE last_seen_at > ?1")
                .setParameter(1, since).getResultList();
        Set<String> out = new HashSet<>();
        kinds.forEach(k -> out.add((String) k));
        return out;
    }

    private static List<JobErrorView> errors(long jobId) {
        return JobErrorEntity.<JobErrorEntity>list("jobId", Sort.by("id"), jobId).stream()
                .map(e -> new JobErrorView(e.attempt, e.code, e.message, e.workerId, e.at)).toList();
    }

    private static ApiException notFound(long id) {
        return new ApiException(ErrorCode.JOB_NOT_FOUND, "No job has id " + id);
    }
}
