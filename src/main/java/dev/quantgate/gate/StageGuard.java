package dev.quantgate.gate;

import dev.quantgate.audit.AuditLog;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
import dev.quantgate.registry.RegistryChange;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Revert, for legacy stage transitions that did not go through QuantGate (MLflow sends no webhook for them, so the
 * poller sees them). A version moved into a protected stage is decided for that stage; unless the decision allows
 * it, the version is transitioned back to its previous stage through the outbox, tagged
 * {@code quantgate.gate=reverted:<decision id>}, and the revert is audited and counted. A transition QuantGate itself
 * asked MLflow for (a promotion, approved or allowed, or a revert: its latest {@code transition-stage} write for
 * this version goes to exactly this stage), or one its MLflow proxy let through, is its own echo and is left alone
 * ({@link SanctionedMoves}).
 *
 * <p>A direct transition with {@code archive_existing_versions} also moves the stage's earlier holders to
 * {@code Archived} in the same MLflow call, which stamps them all with one {@code last_updated_timestamp}. When the
 * same poll shows such a holder, archived out of the reverted stage at exactly the reverted transition's time, it is
 * transitioned back into that stage too (audited {@code gate.reverted.restored}); an archive at another time was
 * not that call, so it is left as it is and the audit says so ({@code gate.reverted.not_restored}). Runs inside the
 * mirror's transaction; no network call is made here.
 */
@ApplicationScoped
public class StageGuard {

    private static final String ARCHIVED = "Archived";
    private static final String NONE = "None";

    private final GateService gate;
    private final Protection protection;
    private final MlflowOutbox outbox;
    private final StageMoves moves;
    private final SanctionedMoves sanctioned;
    private final AuditLog audit;
    private final MeterRegistry metrics;

    public StageGuard(GateService gate, Protection protection, MlflowOutbox outbox, StageMoves moves,
                      SanctionedMoves sanctioned,
                      AuditLog audit, MeterRegistry metrics) {
        this.gate = gate;
        this.protection = protection;
        this.outbox = outbox;
        this.moves = moves;
        this.sanctioned = sanctioned;
        this.audit = audit;
        this.metrics = metrics;
    }

    void onChange(@Observes RegistryChange.StageChanged change) {
        if (change.origin().kind() == RegistryChange.Origin.Kind.QUANTGATE) {
            return;
        }
        String from = previous(change);
        if (ARCHIVED.equalsIgnoreCase(change.stage()) && !NONE.equalsIgnoreCase(from) && !ARCHIVED.equalsIgnoreCase(from)) {
            moves.archived(change).forEach(r -> restore(r, change));
        }
        if (!protection.protects(change.model(), change.version(), Target.of(null, change.stage()))
                || sanctioned.isSanctionedStage(change.model(), change.version(), change.stage())) {
            return;
        }
        StoredDecision decision = gate.decide(change.model(), change.version(), Target.of(null, change.stage()),
                AliasGuard.ACTOR);
        if ("allow".equals(decision.outcome())) {
            return;
        }
        outbox.enqueue(new MlflowWrite.TransitionStage(change.model(), change.version(), from, false), AliasGuard.ACTOR);
        outbox.enqueue(new MlflowWrite.SetVersionTag(change.model(), change.version(), AliasGuard.GATE_TAG,
                "reverted:" + decision.id()), AliasGuard.ACTOR);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("decision_id", decision.id().toString());
        payload.put("stage", change.stage());
        payload.put("version", change.version());
        payload.put("previous_stage", from);
        payload.put("origin", change.origin().kind().name().toLowerCase(Locale.ROOT));
        payload.put("outcome", decision.outcome());
        audit.append(AliasGuard.ACTOR, "gate.reverted", "decision:" + decision.id(), payload);
        metrics.counter("quantgate_gate_reverts_total", "policy",
                decision.policyName() == null ? "none" : decision.policyName()).increment();
        StageMoves.Revert revert = new StageMoves.Revert(decision.id(), change);
        moves.reverted(revert).forEach(a -> restore(revert, a));
    }

    /**
     * Puts a holder that the reverted transition archived back into its stage, when the same MLflow call archived it
     * (one timestamp); otherwise audits that it was left alone.
     */
    private void restore(StageMoves.Revert revert, RegistryChange.StageChanged archived) {
        RegistryChange.StageChanged moved = revert.change();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("decision_id", revert.decision().toString());
        payload.put("version", archived.version());
        payload.put("stage", archived.previousStage());
        payload.put("reverted_version", moved.version());
        if (archived.at().equals(moved.at())) {
            outbox.enqueue(new MlflowWrite.TransitionStage(archived.model(), archived.version(), archived.previousStage(),
                    false), AliasGuard.ACTOR);
            audit.append(AliasGuard.ACTOR, "gate.reverted.restored", "decision:" + revert.decision(), payload);
        } else {
            payload.put("reason", "version " + archived.version() + " was archived at " + archived.at()
                    + ", not with the reverted transition of version " + moved.version() + " at " + moved.at()
                    + " (archive_existing_versions archives in the same call), so it is left in Archived");
            audit.append(AliasGuard.ACTOR, "gate.reverted.not_restored", "decision:" + revert.decision(), payload);
        }
    }

    private static String previous(RegistryChange.StageChanged change) {
        return change.previousStage() == null ? NONE : change.previousStage();
    }
}
