package dev.quantgate.gate;

import dev.quantgate.policy.PolicySelection;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.model.Protect;
import dev.quantgate.policy.service.PolicyService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether an alias or a stage of a model is protected: the policy in force for the model lists it under
 * {@code protect}. No policy: nothing is protected. Two policies claiming the model: fail closed, it is protected
 * when either of them protects it. Aliases compare exactly; stages without regard to case, as MLflow canonicalises
 * them ({@code production} is {@code Production}).
 */
@ApplicationScoped
public class ProtectedTargets {

    private final PolicyService policies;
    private final CandidateReader candidates;

    public ProtectedTargets(PolicyService policies, CandidateReader candidates) {
        this.policies = policies;
        this.candidates = candidates;
    }

    public boolean isProtected(String model, String version, Target target) {
        PolicySelection selection = policies.select(model, candidates.modelTags(model, version));
        if (selection instanceof PolicySelection.Selected s) {
            return protects(s.version(), target);
        }
        return selection instanceof PolicySelection.Conflict c && c.policies().stream()
                .map(policies::inForce).flatMap(Optional::stream)
                .anyMatch(v -> protects(v, target));
    }

    private static boolean protects(PolicyVersion version, Target target) {
        Protect protect = version.policy().protect();
        if (target.kind() == Target.Kind.ALIAS) {
            return protect.aliases().contains(target.name());
        }
        String stage = target.name().toLowerCase(Locale.ROOT);
        return protect.stages().stream().anyMatch(s -> s.toLowerCase(Locale.ROOT).equals(stage));
    }
}
