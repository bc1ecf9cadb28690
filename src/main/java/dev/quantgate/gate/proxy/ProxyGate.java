package dev.quantgate.gate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.gate.CandidateReader;
import dev.quantgate.gate.GateService;
import dev.quantgate.gate.PromotionStore;
import dev.quantgate.gate.Protection;
import dev.quantgate.gate.SanctionedMoves;
import dev.quantgate.gate.StoredDecision;
import dev.quantgate.gate.Target;
import dev.quantgate.kernel.Failures;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The proxy's gate, run on a worker thread (it is blocking JPA): a call moving a protected alias or stage is decided
 * under the policy in force; it goes through when the decision allows it or an approved promotion stands for exactly
 * that version and target (then the pass is recorded, so the echo MLflow reports is never reverted), and is refused
 * otherwise (audited, counted). Anything that goes wrong refuses the call: the gate fails closed.
 */
@ApplicationScoped
public class ProxyGate {

    static final String ACTOR = "mlflow-proxy";
    private static final Logger LOG = Logger.getLogger(ProxyGate.class);

    private final Protection protection;
    private final CandidateReader candidates;
    private final GateService gate;
    private final PromotionStore promotions;
    private final SanctionedMoves sanctioned;
    private final AuditLog audit;
    private final MeterRegistry metrics;
    private final ObjectMapper json;
    private final Clock clock;

    public ProxyGate(Protection protection, CandidateReader candidates, GateService gate, PromotionStore promotions,
                     SanctionedMoves sanctioned, AuditLog audit, MeterRegistry metrics, ObjectMapper json, Clock clock) {
        this.protection = protection;
        this.candidates = candidates;
        this.gate = gate;
        this.promotions = promotions;
        this.sanctioned = sanctioned;
        this.audit = audit;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
    }

    /** What to do with a call: forward it, or answer it with MLflow's error. */
    record Verdict(boolean forward, int status, String body) {

        static final Verdict FORWARD = new Verdict(true, 0, null);

        static Verdict refuse(int status, String errorCode, String message) {
            return new Verdict(false, status, MlflowErrorBody.of(errorCode, message));
        }
    }

    /** Decides a call (blocking); never throws. */
    public Verdict judge(GuardedCall call, String requester) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> decide(call, requester));
        } catch (RuntimeException e) {
            String why = Failures.logged(LOG, Logger.Level.ERROR, "QuantGate could not decide " + describe(call)
                    + ", so the call is refused (the gate fails closed)", e);
            auditFailure(call, requester, why);
            metrics.counter("quantgate_gate_proxy_refusals_total", "policy", "none").increment();
            return Verdict.refuse(403, MlflowErrorBody.PERMISSION_DENIED, why);
        }
    }

    /**
     * A rename carries the model's aliases and stages to the new name unjudged, past the policy of either name: it is
     * refused when a policy protecting aliases or stages selects the old name or the new one (blocking; never throws).
     */
    public Verdict judgeRename(GuardedCall.Rename rename, String requester) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                // the model keeps its tags under the new name: both names are judged with them
                Map<String, String> tags = candidates.modelTagsIfMirrored(rename.name());
                List<String> fromOld = protection.guarding(rename.name(), tags);
                List<String> fromNew = protection.guarding(rename.newName(), tags);
                Set<String> guarding = new TreeSet<>(fromOld);
                guarding.addAll(fromNew);
                if (guarding.isEmpty()) {
                    return Verdict.FORWARD;
                }
                List<String> names = new ArrayList<>();
                if (!fromOld.isEmpty()) {
                    names.add("'" + rename.name() + "'");
                }
                if (!fromNew.isEmpty()) {
                    names.add("'" + rename.newName() + "'");
                }
                String message = "QuantGate refused to " + describe(rename) + ": " + (guarding.size() == 1
                        ? "policy '" + guarding.iterator().next() + "' protects" : "policies " + guarding + " protect")
                        + " aliases or stages of the model named " + String.join(" and ", names) + ", and a rename"
                        + " would carry the model's aliases and stages past the gate unjudged. Change the policy's"
                        + " selector first, or have an MLflow administrator rename it outside QuantGate.";
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("model", rename.name());
                payload.put("new_name", rename.newName());
                payload.put("requester", requester);
                payload.put("policies", List.copyOf(guarding));
                payload.put("message", message);
                audit.append(requester, "gate.proxy.refused", "model:" + rename.name(), payload);
                metrics.counter("quantgate_gate_proxy_refusals_total", "policy", guarding.iterator().next()).increment();
                return Verdict.refuse(403, MlflowErrorBody.PERMISSION_DENIED, message);
            });
        } catch (RuntimeException e) {
            String why = Failures.logged(LOG, Logger.Level.ERROR, "QuantGate could not decide " + describe(rename)
                    + ", so the call is refused (the gate fails closed)", e);
            metrics.counter("quantgate_gate_proxy_refusals_total", "policy", "none").increment();
            return Verdict.refuse(403, MlflowErrorBody.PERMISSION_DENIED, why);
        }
    }

    static String describe(GuardedCall.Rename rename) {
        return "rename model '" + rename.name() + "' to '" + rename.newName() + "'";
    }

    private Verdict decide(GuardedCall call, String requester) {
        if (!protection.protects(call.model(), call.version(), call.target())) {
            return Verdict.FORWARD;
        }
        StoredDecision d = gate.decide(call.model(), call.version(), call.target(), requester);
        UUID promotion = "allow".equals(d.outcome()) ? null
                : promotions.standingApproval(call.model(), call.version(), call.target());
        if ("allow".equals(d.outcome()) || promotion != null) {
            sanctioned.recordPass(new SanctionedMoves.Pass(call.model(), call.target(), call.version(), d.id(), promotion,
                    requester, now()));
            return Verdict.FORWARD;
        }
        String message = refusal(call, d);
        Map<String, Object> payload = payload(call, requester);
        payload.put("decision_id", d.id().toString());
        payload.put("outcome", d.outcome());
        payload.put("policy", d.policyName());
        payload.put("message", message);
        audit.append(requester, "gate.proxy.refused", "decision:" + d.id(), payload);
        metrics.counter("quantgate_gate_proxy_refusals_total", "policy",
                d.policyName() == null ? "none" : d.policyName()).increment();
        return Verdict.refuse(403, MlflowErrorBody.PERMISSION_DENIED, message);
    }

    /** One paragraph a person reads in their MLflow client's exception: the policy, each reason, the decision. */
    private String refusal(GuardedCall call, StoredDecision d) {
        StringBuilder m = new StringBuilder("QuantGate refused to ").append(describe(call)).append(": ");
        m.append(d.policyName() == null ? "no single policy governs the model" : "policy '" + d.policyName() + "'")
                .append(" decided ").append(d.outcome()).append(" (decision ").append(d.id()).append(").");
        for (JsonNode reason : reasons(d)) {
            String rule = reason.path("rule").isTextual() ? "rule " + reason.path("rule").asText() + " " : "";
            m.append(' ').append(rule).append('[').append(reason.path("code").asText()).append("]: ")
                    .append(reason.path("message").asText());
            if (!reason.path("message").asText().endsWith(".")) {
                m.append('.');
            }
        }
        m.append(" Ask for a promotion instead: POST /api/v1/promotions; the decision: GET /api/v1/decisions/")
                .append(d.id()).append('.');
        return m.toString();
    }

    private JsonNode reasons(StoredDecision d) {
        try {
            return json.readTree(d.judgementJson()).path("reasons");
        } catch (IOException e) {
            throw new IllegalStateException("a stored judgement is not JSON", e);
        }
    }

    private void auditFailure(GuardedCall call, String requester, String why) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                Map<String, Object> payload = payload(call, requester);
                payload.put("decision_id", null);
                payload.put("message", why);
                audit.append(requester, "gate.proxy.refused", "model:" + call.model(), payload);
            });
        } catch (RuntimeException e) {
            LOG.errorf(e, "The proxy's refusal of %s could not be audited", Failures.escape(describe(call)));
        }
    }

    private static Map<String, Object> payload(GuardedCall call, String requester) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("model", call.model());
        p.put("version", call.version());
        p.put("target", call.target().toString());
        p.put("requester", requester);
        return p;
    }

    static String describe(GuardedCall call) {
        return (call.target().kind() == Target.Kind.ALIAS ? "set alias '" : "transition to stage '")
                + call.target().name() + "' of model '" + call.model() + "' " + (call.target().kind() == Target.Kind.ALIAS
                ? "to" : "for") + " version " + call.version();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
