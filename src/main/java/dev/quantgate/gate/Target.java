package dev.quantgate.gate;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;

/** What a promotion moves: an MLflow alias or a (legacy) stage. Stored as {@code alias:<name>} or {@code stage:<name>}. */
public record Target(Kind kind, String name) {

    public enum Kind { ALIAS, STAGE }

    public Target {
        if (name == null || name.isBlank() || name.length() > 250) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "a target alias or stage must be 1 to 250 characters");
        }
    }

    /** Exactly one of the two. */
    public static Target of(String alias, String stage) {
        if ((alias == null) == (stage == null)) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "name exactly one of alias or stage");
        }
        return alias != null ? new Target(Kind.ALIAS, alias) : new Target(Kind.STAGE, stage);
    }

    public static Target parse(String stored) {
        if (stored.startsWith("alias:")) {
            return new Target(Kind.ALIAS, stored.substring(6));
        }
        if (stored.startsWith("stage:")) {
            return new Target(Kind.STAGE, stored.substring(6));
        }
        throw new ApiException(ErrorCode.VALIDATION_FAILED, "target must be alias:<name> or stage:<name>, was '" + stored + "'");
    }

    @Override
    public String toString() {
        return (kind == Kind.ALIAS ? "alias:" : "stage:") + name;
    }
}
