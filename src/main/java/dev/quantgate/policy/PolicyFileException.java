package dev.quantgate.policy;

import java.util.List;

/** A policy file that cannot be used; {@link #errors()} name each problem with its line and field. */
public class PolicyFileException extends Exception {

    private final transient List<PolicyError> errors;

    public PolicyFileException(List<PolicyError> errors) {
        super(errors.isEmpty() ? "invalid policy" : errors.get(0).toString());
        this.errors = List.copyOf(errors);
    }

    public List<PolicyError> errors() {
        return errors;
    }
}
