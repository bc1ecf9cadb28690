package dev.quantgate.worker;

/** A job step that cannot go on: becomes a {@link JobOutcome.Failed} with this code and message. */
final class JobFailure extends Exception {

    private final String code;
    private final boolean permanent;

    JobFailure(String code, String message, boolean permanent) {
        super(message);
        this.code = code;
        this.permanent = permanent;
    }

    static JobFailure permanent(String code, String message) {
        return new JobFailure(code, message, true);
    }

    static JobFailure transient_(String code, String message) {
        return new JobFailure(code, message, false);
    }

    JobOutcome.Failed outcome() {
        return new JobOutcome.Failed(code, getMessage(), permanent);
    }
}
