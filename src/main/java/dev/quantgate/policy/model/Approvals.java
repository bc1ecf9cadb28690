package dev.quantgate.policy.model;

import java.util.List;

/**
 * Who must approve a promotion that needs approval: {@code required} distinct people holding one of
 * {@code roles}, not counting the requester when {@code notRequester}. Default: one admin, not the requester.
 */
public record Approvals(int required, List<String> roles, boolean notRequester) {

    public static final Approvals DEFAULT = new Approvals(1, List.of("admin"), true);

    public Approvals {
        roles = List.copyOf(roles);
    }
}
