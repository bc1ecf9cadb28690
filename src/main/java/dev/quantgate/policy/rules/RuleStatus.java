package dev.quantgate.policy.rules;

import java.util.Locale;

/**
 * What one check of one rule found. {@link #ERROR} is a rule that could not be judged at all (a CEL
 * expression that does not compile or fails at run time, a metric a rule kind cannot judge, an exception):
 * it always denies and no waiver covers it.
 */
public enum RuleStatus {
    PASS, FAIL, INSUFFICIENT_DATA, NOT_APPLICABLE, WAIVED, ERROR;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
