package dev.quantgate.policy.rules;

import java.util.Locale;

/** A judgement's outcome, from the most to the least severe: {@code DENY} beats {@code NEEDS_APPROVAL} beats {@code ALLOW}. */
public enum Outcome {
    DENY, NEEDS_APPROVAL, ALLOW;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The more severe of the two. */
    public Outcome and(Outcome other) {
        return ordinal() <= other.ordinal() ? this : other;
    }
}
