package dev.quantgate.gate;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.gate.dto.ApprovalRequest;
import dev.quantgate.gate.dto.ApprovalView;
import dev.quantgate.gate.dto.PromotionRequest;
import dev.quantgate.gate.dto.PromotionView;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
import dev.quantgate.mlflow.outbox.WriteConfirmed;
import dev.quantgate.policy.PolicyFileException;
import dev.quantgate.policy.PolicyLoader;
import dev.quantgate.policy.model.Approvals;
import dev.quantgate.policy.service.PolicyVersionEntity;
import dev.quantgate.policy.service.PolicyVersionStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Promotion requests: decided at once; {@code allow} sets the alias (or transitions the stage) through the outbox
 * and is {@code promoted} when MLflow confirms the write; {@code needs_approval} waits for the policy's approvers
 * (the requester's own approval does not count, one person counts once, a rejection ends it) and is re-decided
 * when enough approvals are in; a waiting request expires after {@code quantgate.gate.request-ttl}.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class PromotionService {

    static final String GATE_ACTOR = "gate";

    private final GateService gate;
    private final PromotionStore store;
    private final PolicyVersionStore policyVersions;
    private final MlflowOutbox outbox;
    private final AuditLog audit;
    private final GateConfig config;

    public PromotionService(GateService gate, PromotionStore store, PolicyVersionStore policyVersions, MlflowOutbox outbox,
                            AuditLog audit, GateConfig config) {
        this.gate = gate;
        this.store = store;
        this.policyVersions = policyVersions;
        this.outbox = outbox;
        this.audit = audit;
        this.config = config;
    }

    public PromotionView request(PromotionRequest request, String requester) {
        Target target = Target.of(request.alias(), request.stage());
        StoredDecision d = gate.decide(request.model(), request.version(), target, requester);
        UUID id = UUID.randomUUID();
        String state = stateFor(d);
        Long outboxId = "promoting".equals(state) ? enqueue(d) : null;
        PromotionStore.Row row = new PromotionStore.Row(id, d.model(), d.version(), target, request.reason(), requester,
                state, d.id(), outboxId, d.decidedAt(), d.decidedAt().plus(config.requestTtl()), null);
        store.insert(row);
        Map<String, Object> payload = payload(d, state);
        payload.put("reason", request.reason());
        audit.append(requester, "gate.promotion.requested", "promotion:" + id, payload);
        return view(row, d, List.of()); // what was just written: no read back
    }

    /**
     * Records an approver's verdict. A rejection ends the request; enough counted approvals re-decide it, and only
     * an allow, or a needs_approval under the same policy version and evidence, moves the alias.
     */
    public PromotionView approve(UUID id, ApprovalRequest request, String approver, Set<String> roles) {
        PromotionStore.Row p = store.lock(id);
        Instant now = gate.now();
        if ("waiting".equals(p.state()) && !now.isBefore(p.expiresAt())) {
            throw new ApiException(ErrorCode.PROMOTION_CLOSED, "The promotion request expired at " + p.expiresAt());
        }
        if (!"waiting".equals(p.state())) {
            throw new ApiException(ErrorCode.PROMOTION_CLOSED, "The promotion request is " + p.state()
                    + ", it no longer takes approvals");
        }
        StoredDecision d = gate.stored(p.decisionId());
        Approvals rule = approvals(d);
        if (rule.roles().stream().noneMatch(roles::contains)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Policy '" + d.policyName() + "' takes approvals from "
                    + String.join(", ", rule.roles()) + " only");
        }
        List<ApprovalView> before = store.approvals(id);
        boolean approve = "approve".equals(request.verdict());
        String notCounted = !approve ? null
                : rule.notRequester() && approver.equals(p.requester()) ? "requester"
                : counted(before, d.id()).contains(approver) ? "already_counted" : null;
        ApprovalView given = new ApprovalView(approver, request.verdict(), Objects.requireNonNullElse(request.comment(), ""),
                d.id(), notCounted == null, notCounted, now);
        store.addApproval(id, given);
        Map<String, Object> payload = payload(d, p.state());
        payload.put("verdict", given.verdict());
        payload.put("counted", given.counted());
        payload.put("not_counted", notCounted);
        audit.append(approver, "gate.promotion." + (approve ? "approved" : "rejected"), "promotion:" + id, payload);
        if (!approve) {
            store.update(id, "rejected", d.id(), null, now);
        } else if (given.counted() && counted(store.approvals(id), d.id()).size() >= rule.required()) {
            redecide(p, d, now);
        }
        return get(id);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public PromotionView get(UUID id) {
        return view(store.get(id));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<PromotionView> list(String state, String after, int limit) {
        Page<PromotionStore.Row> page = store.list(state, after, limit);
        return new Page<>(page.items().stream().map(this::view).toList(), page.next());
    }

    /** Expires waiting requests past their time; audited. */
    @Scheduled(identity = "promotion-expiry", every = "${quantgate.gate.expire-every:60s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void expireDue() {
        for (UUID id : store.expire(gate.now())) {
            PromotionStore.Row p = store.get(id);
            audit.append(GATE_ACTOR, "gate.promotion.expired", "promotion:" + id,
                    Map.of("decision_id", p.decisionId().toString(), "expires_at", p.expiresAt().toString()));
        }
    }

    void onConfirmed(@Observes WriteConfirmed confirmed) {
        if (!(confirmed.write() instanceof MlflowWrite.SetAlias) && !(confirmed.write() instanceof MlflowWrite.TransitionStage)) {
            return;
        }
        for (UUID id : store.confirm(confirmed.outboxId(), gate.now())) {
            PromotionStore.Row p = store.get(id);
            audit.append(GATE_ACTOR, "gate.promotion.promoted", "promotion:" + id, Map.of("decision_id",
                    p.decisionId().toString(), "outbox_id", confirmed.outboxId()));
        }
    }

    private void redecide(PromotionStore.Row p, StoredDecision previous, Instant now) {
        List<Approval> approvals = store.approvals(p.id()).stream()
                .filter(a -> a.counted() && a.decisionId().equals(previous.id()))
                .map(a -> new Approval(a.approver(), a.verdict(), a.at())).toList();
        StoredDecision d = gate.decide(p.model(), p.version(), p.target(), p.requester(), approvals);
        boolean unchanged = Objects.equals(d.policySha256(), previous.policySha256())
                && Objects.equals(d.evidenceSha256(), previous.evidenceSha256());
        String state = "allow".equals(d.outcome()) || "needs_approval".equals(d.outcome()) && unchanged ? "promoting"
                : "deny".equals(d.outcome()) ? "denied" : "waiting";
        store.update(p.id(), state, d.id(), "promoting".equals(state) ? enqueue(d) : null, now);
        Map<String, Object> payload = payload(d, state);
        payload.put("previous_decision_id", previous.id().toString());
        payload.put("unchanged", unchanged);
        audit.append(GATE_ACTOR, "gate.promotion.redecided", "promotion:" + p.id(), payload);
    }

    private long enqueue(StoredDecision d) {
        Target t = d.target();
        MlflowWrite write = t.kind() == Target.Kind.ALIAS ? new MlflowWrite.SetAlias(d.model(), t.name(), d.version())
                : new MlflowWrite.TransitionStage(d.model(), d.version(), t.name(), false);
        return outbox.enqueue(write, GATE_ACTOR);
    }

    private static String stateFor(StoredDecision d) {
        return switch (d.outcome()) {
            case "allow" -> "promoting";
            case "needs_approval" -> "waiting";
            default -> "denied";
        };
    }

    private static Set<String> counted(List<ApprovalView> approvals, UUID decision) {
        Set<String> people = new HashSet<>();
        approvals.stream().filter(a -> a.counted() && a.decisionId().equals(decision)).forEach(a -> people.add(a.approver()));
        return people;
    }

    private Approvals approvals(StoredDecision d) {
        PolicyVersionEntity v = policyVersions.version(d.policyName(), d.policySha256()).orElseThrow(() ->
                new ApiException(ErrorCode.POLICY_VERSION_NOT_FOUND, "Policy '" + d.policyName() + "' has no stored version "
                        + d.policySha256()));
        try {
            return PolicyLoader.load(v.file, v.sourceText.getBytes(StandardCharsets.UTF_8)).policy().approvals();
        } catch (PolicyFileException e) {
            throw new IllegalStateException("stored policy version " + v.sha256 + " no longer loads", e);
        }
    }

    private static Map<String, Object> payload(StoredDecision d, String state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("decision_id", d.id().toString());
        m.put("model", d.model());
        m.put("version", d.version());
        m.put("target", d.target().toString());
        m.put("outcome", d.outcome());
        m.put("state", state);
        return m;
    }

    private PromotionView view(PromotionStore.Row p) {
        return view(p, gate.stored(p.decisionId()), store.approvals(p.id()));
    }

    private PromotionView view(PromotionStore.Row p, StoredDecision d, List<ApprovalView> approvals) {
        // a waiting request past its time is expired, whether or not the sweep has written it yet
        String state = "waiting".equals(p.state()) && !gate.now().isBefore(p.expiresAt()) ? "expired" : p.state();
        return new PromotionView(p.id(), p.model(), p.version(), p.target().toString(), p.reason(), p.requester(), state,
                gate.view(d), approvals, p.outboxId(), p.createdAt(), p.expiresAt(), p.confirmedAt());
    }
}
