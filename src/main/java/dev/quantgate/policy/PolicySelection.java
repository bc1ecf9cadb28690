package dev.quantgate.policy;

import java.util.List;

/** What governs a registered model: exactly one policy, none, or a conflict (never a silent pick). */
public sealed interface PolicySelection {

    /** One policy in force selects the model. */
    record Selected(PolicyVersion version) implements PolicySelection {
    }

    /** No policy in force selects the model: nothing is planned and the gate has nothing to apply. */
    record NoPolicy() implements PolicySelection {
    }

    /** Two or more policies select the model; {@code detail} says which, for the status and for a denial. */
    record Conflict(List<String> policies, String detail) implements PolicySelection {
        public Conflict {
            policies = List.copyOf(policies);
        }
    }
}
