package dev.quantgate.policy;

import dev.quantgate.policy.model.Selector;

import java.util.List;
import java.util.Locale;

/**
 * One policy file as the catalog sees it now.
 *
 * @param name           the policy name (of the version in force, else of the refused file when it has one), or null
 * @param sha256         the version in force, or null when none is
 * @param refusedSha256  the refused bytes' hash when the file's latest content was refused
 * @param selector       the selector in force, or null
 * @param conflictsWith  other policies in force whose selectors overlap this one's
 */
public record PolicyStatus(String name, String file, State state, List<PolicyError> errors, String sha256,
                           String refusedSha256, Selector selector, List<String> conflictsWith) {

    public PolicyStatus {
        errors = List.copyOf(errors);
        conflictsWith = List.copyOf(conflictsWith);
    }

    /** {@code active}: in force; {@code refused}: the latest content was refused; {@code conflict}: overlaps another. */
    public enum State {
        ACTIVE, REFUSED, CONFLICT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
