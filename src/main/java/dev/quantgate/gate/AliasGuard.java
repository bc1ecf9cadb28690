package dev.quantgate.gate;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
import dev.quantgate.registry.RegistryChange;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Revert, for alias writes that did not go through QuantGate. When the mirror sees a protected alias set or moved
 * (by webhook or poll), the version it now points at is decided for that alias; unless the decision allows it, the
 * alias is put back on its previous holder (or deleted when it had none) through the outbox, the version is tagged
 * {@code quantgate.gate=reverted:<decision id>}, and the revert is audited and counted. A move that QuantGate itself
 * sanctioned (a promotion or a revert, as a {@code set-alias} write to exactly this version in the outbox, or a call
 * its MLflow proxy let through after that: {@link SanctionedMoves}) is its own echo and is left alone, even when a
 * decision now would differ ({@link StageGuard} does the same for legacy stages). Runs inside the mirror's transaction, so the decision, the writes and the mirror
 * change commit together; no network call is made here.
 */
@ApplicationScoped
public class AliasGuard {

    static final String ACTOR = "quantgate-gate";
    static final String GATE_TAG = "quantgate.gate";

    private final GateService gate;
    private final Protection protection;
    private final SanctionedMoves sanctioned;
    private final MlflowOutbox outbox;
    private final AuditLog audit;
    private final MeterRegistry metrics;

    public AliasGuard(GateService gate, Protection protection, SanctionedMoves sanctioned,
                      MlflowOutbox outbox, AuditLog audit, MeterRegistry metrics) {
        this.gate = gate;
        this.protection = protection;
        this.sanctioned = sanctioned;
        this.outbox = outbox;
        this.audit = audit;
        this.metrics = metrics;
    }

    void onChange(@Observes RegistryChange change) {
        if (change instanceof RegistryChange.AliasSet set) {
            guard(set.model(), set.alias(), set.version(), null, set.origin());
        } else if (change instanceof RegistryChange.AliasMoved moved) {
            guard(moved.model(), moved.alias(), moved.version(), moved.previousVersion(), moved.origin());
        }
    }

    private void guard(String model, String alias, String version, String previous, RegistryChange.Origin origin) {
        if (origin.kind() == RegistryChange.Origin.Kind.QUANTGATE
                || !protection.protects(model, version, Target.of(alias, null))
                || sanctioned.isSanctioned(model, alias, version)) {
            return;
        }
        StoredDecision decision = gate.decide(model, version, Target.of(alias, null), ACTOR);
        if ("allow".equals(decision.outcome())) {
            return;
        }
        MlflowWrite back = previous == null ? new MlflowWrite.DeleteAlias(model, alias)
                : new MlflowWrite.SetAlias(model, alias, previous);
        outbox.enqueue(back, ACTOR);
        outbox.enqueue(new MlflowWrite.SetVersionTag(model, version, GATE_TAG, "reverted:" + decision.id()), ACTOR);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("decision_id", decision.id().toString());
        payload.put("alias", alias);
        payload.put("version", version);
        payload.put("previous", previous);
        payload.put("origin", origin.kind().name().toLowerCase(java.util.Locale.ROOT));
        payload.put("outcome", decision.outcome());
        audit.append(ACTOR, "gate.reverted", "decision:" + decision.id(), payload);
        metrics.counter("quantgate_gate_reverts_total", "policy",
                decision.policyName() == null ? "none" : decision.policyName()).increment();
    }
}
