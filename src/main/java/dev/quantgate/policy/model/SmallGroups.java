package dev.quantgate.policy.model;

import java.util.Locale;

/** What a per-group rule on a group below {@code min_group_size} means (default {@link #NEEDS_APPROVAL}). */
public enum SmallGroups {
    DENY, NEEDS_APPROVAL, IGNORE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
