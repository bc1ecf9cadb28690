package dev.quantgate.gate;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Roles;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.gate.dto.WaiverRequest;
import dev.quantgate.gate.dto.WaiverView;
import dev.quantgate.policy.PolicySelection;
import dev.quantgate.policy.model.QuantizationPolicy;
import dev.quantgate.policy.model.Rule;
import dev.quantgate.policy.model.Waivers;
import dev.quantgate.policy.service.PolicyService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Waivers: granted by an admin or one of the policy's approver roles, on a rule of the policy in force, for at most
 * its {@code waivers.max_duration}; revoking is audited. Each audit event names the version's latest decision.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class WaiverService {

    private final WaiverStore store;
    private final PolicyService policies;
    private final CandidateReader candidates;
    private final DecisionStore decisions;
    private final GateService gate;
    private final AuditLog audit;

    public WaiverService(WaiverStore store, PolicyService policies, CandidateReader candidates, DecisionStore decisions,
                         GateService gate, AuditLog audit) {
        this.store = store;
        this.policies = policies;
        this.candidates = candidates;
        this.decisions = decisions;
        this.gate = gate;
        this.audit = audit;
    }

    public WaiverView grant(WaiverRequest request, String by, Set<String> roles) {
        QuantizationPolicy policy = policyOf(request.model(), request.version());
        mayWaive(policy, roles);
        if (policy.rules().stream().map(Rule::id).noneMatch(request.rule()::equals)) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "rule: policy '" + policy.name() + "' has no rule '"
                    + request.rule() + "'");
        }
        Duration max = policy.waivers().map(Waivers::maxDuration).orElseThrow(() -> new ApiException(ErrorCode.CONFLICT,
                "Policy '" + policy.name() + "' allows no waivers (it has no spec.waivers)"));
        Instant now = gate.now();
        Instant expires = request.expiresAt().truncatedTo(ChronoUnit.MICROS);
        if (!expires.isAfter(now) || Duration.between(now, expires).compareTo(max) > 0) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "expires_at must be after now and at most " + max
                    + " away (the policy's waivers.max_duration), was " + expires);
        }
        UUID id = store.grant(request.model(), request.version(), request.rule(), request.reason(), expires, by, now);
        Map<String, Object> payload = payload(request.model(), request.version(), request.rule());
        payload.put("reason", request.reason());
        payload.put("expires_at", expires.toString());
        audit.append(by, "gate.waiver.granted", "waiver:" + id, payload);
        return view(store.get(id).orElseThrow());
    }

    public WaiverView revoke(UUID id, String by, Set<String> roles) {
        WaiverStore.Row w = store.get(id).orElseThrow(() -> notFound(id));
        if (!roles.contains(Roles.ADMIN)) {
            mayWaive(approverPolicy(w), roles);
        }
        if (!store.revoke(id, by, gate.now())) {
            throw new ApiException(ErrorCode.CONFLICT, "Waiver " + id + " was already revoked");
        }
        audit.append(by, "gate.waiver.revoked", "waiver:" + id, payload(w.model(), w.version(), w.rule()));
        return view(store.get(id).orElseThrow());
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<WaiverView> list(String model, String version) {
        if (model == null || model.isBlank()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "model is required");
        }
        return store.list(model, version).stream().map(this::view).toList();
    }

    private QuantizationPolicy policyOf(String model, String version) {
        PolicySelection s = policies.select(model, candidates.modelTags(model, version));
        if (s instanceof PolicySelection.Selected selected) {
            return selected.version().policy();
        }
        if (s instanceof PolicySelection.Conflict c) {
            throw new ApiException(ErrorCode.POLICY_CONFLICT, c.detail());
        }
        throw new ApiException(ErrorCode.NO_POLICY, "No policy in force selects model '" + model + "'");
    }

    /** Without a policy in force there are no approver roles: only an admin may revoke. */
    private QuantizationPolicy approverPolicy(WaiverStore.Row w) {
        try {
            return policyOf(w.model(), w.version());
        } catch (ApiException e) {
            throw new ApiException(ErrorCode.FORBIDDEN, "No policy in force names approvers for model '" + w.model()
                    + "': only an admin may revoke this waiver (" + e.detail() + ")");
        }
    }

    private static void mayWaive(QuantizationPolicy policy, Set<String> roles) {
        if (!roles.contains(Roles.ADMIN) && policy.approvals().roles().stream().noneMatch(roles::contains)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "Waivers under policy '" + policy.name()
                    + "' are granted by admin or " + String.join(", ", policy.approvals().roles()) + " only");
        }
    }

    private Map<String, Object> payload(String model, String version, String rule) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("decision_id", decisions.latest(model, version).map(UUID::toString).orElse(null));
        m.put("model", model);
        m.put("version", version);
        m.put("rule", rule);
        return m;
    }

    private WaiverView view(WaiverStore.Row w) {
        Instant now = gate.now();
        return new WaiverView(w.id(), w.model(), w.version(), w.rule(), w.reason(), w.createdBy(), w.createdAt(),
                w.expiresAt(), w.revokedAt(), w.revokedBy(), w.revokedAt() == null && now.isBefore(w.expiresAt()));
    }

    private static ApiException notFound(UUID id) {
        return new ApiException(ErrorCode.WAIVER_NOT_FOUND, "No waiver has id " + id);
    }
}
