package dev.quantgate.policy;

import java.util.List;

/** What a scan of the policies folder changed; the service stores and audits each. */
public sealed interface PolicyEvent {

    /** A version came into force; {@code previousSha256} is the one it replaced in this file, or null. */
    record Activated(PolicyVersion version, String previousSha256) implements PolicyEvent {
    }

    /**
     * A file was refused; {@code inForceSha256} is the earlier version of it that stays in force, or null.
     * {@code name} is the policy name when the file got far enough to have one.
     */
    record Refused(String file, String sha256, String name, List<PolicyError> errors, String inForceSha256)
            implements PolicyEvent {
        public Refused {
            errors = List.copyOf(errors);
        }
    }

    /** A file disappeared; its policy is no longer in force. */
    record Removed(String file, String name, String sha256) implements PolicyEvent {
    }

    /** An accepted version could not come into force yet (it could not be stored); retried on the next scan. */
    record Deferred(String file, String sha256, String reason) implements PolicyEvent {
    }

    /** Two policies in force could select the same model. */
    record ConflictFound(List<String> policies, String detail) implements PolicyEvent {
        public ConflictFound {
            policies = List.copyOf(policies);
        }
    }
}
