package dev.quantgate.policy;

import dev.quantgate.policy.model.QuantizationPolicy;

import java.util.Objects;

/**
 * One accepted version of a policy file: the typed policy, the SHA-256 of the file's bytes (its
 * identity, named by every decision made under it), the file, its text as written, and the canonical
 * JSON of the parsed document (sorted keys, one number format).
 */
public record PolicyVersion(QuantizationPolicy policy, String sha256, String file, String text, String canonicalJson) {

    public PolicyVersion {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(canonicalJson, "canonicalJson");
    }

    public String name() {
        return policy.name();
    }
}
