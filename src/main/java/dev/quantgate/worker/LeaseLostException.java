package dev.quantgate.worker;

/** The job is no longer leased under the token the worker holds: its lease expired and it went to another worker. */
public final class LeaseLostException extends Exception {

    public LeaseLostException(long jobId) {
        super("job " + jobId + " is no longer leased under this token");
    }
}
