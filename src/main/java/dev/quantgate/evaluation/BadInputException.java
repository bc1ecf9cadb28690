package dev.quantgate.evaluation;

/**
 * Input the evaluation cannot use: a missing column, a non-numeric cell, a model whose outputs do not fit
 * the task. The message names the column, row or output concerned and is meant to be shown as is.
 */
public class BadInputException extends RuntimeException {

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
