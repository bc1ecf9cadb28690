package dev.quantgate.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.gate.dto.DecisionView;
import dev.quantgate.gate.dto.EvaluateRequest;
import dev.quantgate.gate.dto.ReplayResult;
import dev.quantgate.policy.PolicyFileException;
import dev.quantgate.policy.PolicyLoader;
import dev.quantgate.policy.PolicySelection;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.rules.Candidate;
import dev.quantgate.policy.rules.Judgement;
import dev.quantgate.policy.service.PolicyService;
import dev.quantgate.policy.service.PolicyVersionEntity;
import dev.quantgate.policy.service.PolicyVersionStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decisions: a model version × target judged under the policy in force for the model (none or a conflict: deny),
 * its variant's newest evidence (none: the judge denies) and its waivers; stored immutably, audited, counted, and
 * replayable from the stored policy text and evidence.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class GateService {

    private final PolicyService policies;
    private final PolicyVersionStore policyVersions;
    private final CandidateReader candidates;
    private final EvidenceStore evidence;
    private final DecisionStore decisions;
    private final AuditLog audit;
    private final MeterRegistry metrics;
    private final ObjectMapper json;
    private final Clock clock;

    public GateService(PolicyService policies, PolicyVersionStore policyVersions, CandidateReader candidates,
                       EvidenceStore evidence, DecisionStore decisions, AuditLog audit, MeterRegistry metrics,
                       ObjectMapper json, Clock clock) {
        this.policies = policies;
        this.policyVersions = policyVersions;
        this.candidates = candidates;
        this.evidence = evidence;
        this.decisions = decisions;
        this.audit = audit;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
    }

    /** Decides and stores a decision with no approvals. */
    public StoredDecision decide(String model, String version, Target target, String requester) {
        return decide(model, version, target, requester, List.of());
    }

    /** Decides now, stores the decision with these approvals, audits and counts it. */
    public StoredDecision decide(String model, String version, Target target, String requester, List<Approval> approvals) {
        Instant now = now();
        Candidate candidate = candidates.read(model, version);
        Map<String, String> modelTags = candidate.modelTags();
        PolicySelection selection = policies.select(model, modelTags);
        PolicyVersion policy = selection instanceof PolicySelection.Selected s ? s.version() : null;
        String problem = problem(selection);
        Judgement j = policy != null ? Judging.under(policy, candidate, now) : Judging.withoutPolicy(problem, candidate, now);
        String canonical = j.canonicalJson();
        StoredDecision d = new StoredDecision(UUID.randomUUID(), model, version, target, j.policyName(), j.policySha256(),
                problem, j.evidenceSha256(), candidate.modelTags(), candidate.versionTags(), candidate.waivers(),
                approvals, j.outcome().id(), requester, now, canonical, Judgement.sha256Of(canonical));
        decisions.insert(d);
        metrics.counter("quantgate_gate_decisions_total", "policy", d.policyName() == null ? "none" : d.policyName(),
                "outcome", d.outcome()).increment();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("decision_id", d.id().toString());
        payload.put("model", model);
        payload.put("version", version);
        payload.put("target", target.toString());
        payload.put("outcome", d.outcome());
        payload.put("policy", d.policyName());
        payload.put("policy_sha256", d.policySha256());
        payload.put("evidence_sha256", d.evidenceSha256());
        payload.put("judgement_sha256", d.judgementSha256());
        payload.put("approvals", approvals.size());
        audit.append(requester, "gate.decision", "decision:" + d.id(), payload);
        return d;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public DecisionView get(UUID id) {
        return view(decisions.get(id));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public StoredDecision stored(UUID id) {
        return decisions.get(id);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<DecisionView> list(DecisionStore.DecisionFilter filter, String after, int limit) {
        Page<StoredDecision> page = decisions.list(filter, after, limit);
        return new Page<>(page.items().stream().map(this::view).toList(), page.next());
    }

    /**
     * Recomputes a stored decision from the stored policy version's text, the stored evidence, and the stored tags
     * and waivers, at the stored time; audited.
     */
    public ReplayResult replay(UUID id, String actor) {
        StoredDecision d = decisions.get(id);
        Candidate.Evidence e = d.evidenceSha256() == null ? null : candidates.evidence(evidence.get(d.evidenceSha256()));
        Candidate candidate = new Candidate(d.model(), d.version(), d.modelTags(), d.versionTags(), e, d.waivers());
        Judgement j;
        if (d.policySha256() == null) {
            j = Judging.withoutPolicy(d.policyProblem(), candidate, d.decidedAt());
        } else {
            PolicyVersionEntity v = policyVersions.version(d.policyName(), d.policySha256()).orElseThrow(() ->
                    new ApiException(ErrorCode.POLICY_VERSION_NOT_FOUND, "Policy '" + d.policyName()
                            + "' has no stored version " + d.policySha256()));
            j = Judging.underText(v.file, v.sourceText, candidate, d.decidedAt());
        }
        ReplayResult result = new ReplayResult(id, j.sha256().equals(d.judgementSha256())
                && j.canonicalJson().equals(d.judgementJson()), d.judgementSha256(), j.sha256());
        audit.append(actor, "gate.decision.replayed", "decision:" + id,
                Map.of("decision_id", id.toString(), "matches", result.matches(), "replayed_sha256", result.replayedSha256()));
        return result;
    }

    /** A dry run, not stored: under the policy in force, or under the request's policy text. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public DecisionView evaluate(EvaluateRequest request, String requester) {
        Target target = Target.of(request.alias(), request.stage());
        Instant now = now();
        Candidate candidate = candidates.read(request.model(), request.version());
        Judgement j;
        if (request.policyText() != null) {
            j = Judging.under(parse(request.policyText()), candidate, now);
        } else {
            j = judgeInForce(candidate, now);
        }
        return view(null, target, requester, List.of(), j);
    }

    /** The policy in force's judgement of a candidate now, not stored (the impact listing's). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Judgement judgeInForce(Candidate candidate, Instant now) {
        PolicySelection selection = policies.select(candidate.model(), candidate.modelTags());
        return selection instanceof PolicySelection.Selected s ? Judging.under(s.version(), candidate, now)
                : Judging.withoutPolicy(problem(selection), candidate, now);
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static PolicyVersion parse(String text) {
        try {
            return PolicyLoader.load("policy_text", text.getBytes(StandardCharsets.UTF_8));
        } catch (PolicyFileException e) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "policy_text is not a valid policy: "
                    + String.join("; ", e.errors().stream().map(Object::toString).toList()));
        }
    }

    private static String problem(PolicySelection selection) {
        if (selection instanceof PolicySelection.Conflict c) {
            return "policy_conflict: " + c.detail();
        }
        return selection instanceof PolicySelection.NoPolicy ? "no_policy: no policy in force selects this model" : null;
    }

    DecisionView view(StoredDecision d) {
        JsonNode j = tree(d.judgementJson());
        return new DecisionView(d.id(), d.model(), d.version(), d.target().toString(), d.policyName(), d.policySha256(),
                d.evidenceSha256() == null ? List.of() : List.of(d.evidenceSha256()),
                d.approvals().stream().map(Approval::toMap).toList(), waivers(j), d.outcome(), d.requester(),
                d.decidedAt(), j.path("reasons"), j.path("results"), d.judgementSha256(), j);
    }

    private DecisionView view(UUID id, Target target, String requester, List<Approval> approvals, Judgement j) {
        String canonical = j.canonicalJson();
        JsonNode tree = tree(canonical);
        return new DecisionView(id, j.model(), j.version(), target.toString(), j.policyName(), j.policySha256(),
                j.evidenceSha256() == null ? List.of() : List.of(j.evidenceSha256()),
                approvals.stream().map(Approval::toMap).toList(), waivers(tree), j.outcome().id(), requester,
                j.judgedAt(), tree.path("reasons"), tree.path("results"), Judgement.sha256Of(canonical), tree);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> waivers(JsonNode judgement) {
        return json.convertValue(judgement.path("candidate").path("waivers"), List.class);
    }

    private JsonNode tree(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a judgement is not JSON", e);
        }
    }
}
