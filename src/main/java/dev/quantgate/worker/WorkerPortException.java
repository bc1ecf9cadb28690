package dev.quantgate.worker;

/** The server's worker API could not be reached or answered something other than the contract's answers. */
public final class WorkerPortException extends RuntimeException {

    private final int status;

    public WorkerPortException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }
}
