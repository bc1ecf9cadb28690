package dev.quantgate.worker;

/** An artifact could not be resolved or moved; {@link #retryable()} tells an outage from bad input. */
public final class ArtifactException extends Exception {

    private final boolean retryable;

    public ArtifactException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public ArtifactException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
