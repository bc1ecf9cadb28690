package dev.quantgate.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** An immutable snapshot of the policies in force, answering which one governs a model. */
public final class PolicySelector {

    private final List<PolicyVersion> inForce;

    public PolicySelector(List<PolicyVersion> inForce) {
        this.inForce = inForce.stream().sorted(Comparator.comparing(PolicyVersion::name)).toList();
    }

    /** The one matching policy, {@link PolicySelection.NoPolicy}, or a {@link PolicySelection.Conflict} naming both. */
    public PolicySelection select(String modelName, Map<String, String> modelTags) {
        List<PolicyVersion> matching = new ArrayList<>();
        for (PolicyVersion v : inForce) {
            if (v.policy().selector().matches(modelName, modelTags)) {
                matching.add(v);
            }
        }
        if (matching.isEmpty()) {
            return new PolicySelection.NoPolicy();
        }
        if (matching.size() == 1) {
            return new PolicySelection.Selected(matching.get(0));
        }
        List<String> names = matching.stream().map(PolicyVersion::name).toList();
        return new PolicySelection.Conflict(names, "model '" + modelName + "' is selected by " + names.size()
                + " policies (" + String.join(", ", names) + "); narrow their selectors so exactly one matches");
    }

    public List<PolicyVersion> inForce() {
        return inForce;
    }
}
