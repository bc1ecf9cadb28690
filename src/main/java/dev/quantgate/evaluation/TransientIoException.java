package dev.quantgate.evaluation;

/**
 * An I/O failure that may pass when tried again (a read error, a full disk, a file system gone away): unlike
 * {@link BadInputException}, the input itself may be fine. The message names the file and is meant to be shown.
 */
public class TransientIoException extends RuntimeException {

    public TransientIoException(String message, Throwable cause) {
        super(message, cause);
    }
}
