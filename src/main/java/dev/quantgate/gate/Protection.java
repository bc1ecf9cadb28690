package dev.quantgate.gate;

import dev.quantgate.policy.PolicySelection;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.model.Protect;
import dev.quantgate.policy.service.PolicyService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which aliases and stages the policy in force for a model protects (no policy: nothing). When two policies claim
 * the model the gate fails closed: a target is protected when either of them protects it. Stage names compare as
 * MLflow compares them, ignoring case.
 */
@ApplicationScoped
public class Protection {

    private final PolicyService policies;
    private final CandidateReader candidates;

    public Protection(PolicyService policies, CandidateReader candidates) {
        this.policies = policies;
        this.candidates = candidates;
    }

    /**
     * The policies in force for a model called {@code model} with these model tags that protect any alias or stage:
     * one, two when they conflict (the gate fails closed), or none.
     */
    public List<String> guarding(String model, Map<String, String> modelTags) {
        PolicySelection selection = policies.select(model, modelTags);
        List<PolicyVersion> governing = selection instanceof PolicySelection.Selected s ? List.of(s.version())
                : selection instanceof PolicySelection.Conflict c ? c.policies().stream().map(policies::inForce)
                .flatMap(Optional::stream).toList() : List.of();
        return governing.stream().filter(v -> !v.policy().protect().aliases().isEmpty()
                        || !v.policy().protect().stages().isEmpty())
                .map(PolicyVersion::name).toList();
    }

    /** Whether the target (an alias or a stage) of this model version is protected. */
    public boolean protects(String model, String version, Target target) {
        Predicate<Protect> covers = target.kind() == Target.Kind.ALIAS
                ? p -> p.aliases().contains(target.name())
                : p -> p.stages().stream().anyMatch(target.name()::equalsIgnoreCase);
        PolicySelection selection = policies.select(model, candidates.modelTags(model, version));
        if (selection instanceof PolicySelection.Selected s) {
            return covers.test(s.version().policy().protect());
        }
        return selection instanceof PolicySelection.Conflict c && c.policies().stream()
                .map(policies::inForce).flatMap(Optional::stream)
                .map(PolicyVersion::policy).anyMatch(p -> covers.test(p.protect()));
    }
}
