package dev.quantgate.logging;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A stand-in for an exception whose message holds control characters: the same class name in its
 * text, the same stack trace, causes and suppressed exceptions, the message escaped by
 * {@link LogText}. Only the log sees it; the original exception is not changed.
 */
final class EscapedThrowable extends Throwable {

    private static final int MAX_DEPTH = 32;
    private final String originalClass;

    private EscapedThrowable(Throwable original, int depth, Set<Throwable> seen) {
        super(original.getMessage() == null ? null : LogText.escape(original.getMessage()));
        this.originalClass = original.getClass().getName();
        setStackTrace(original.getStackTrace());
        Throwable cause = original.getCause();
        if (cause != null && cause != original && depth < MAX_DEPTH && seen.add(cause)) {
            initCause(new EscapedThrowable(cause, depth + 1, seen));
        }
        for (Throwable suppressed : original.getSuppressed()) {
            if (depth < MAX_DEPTH && seen.add(suppressed)) {
                addSuppressed(new EscapedThrowable(suppressed, depth + 1, seen));
            }
        }
    }

    static Throwable of(Throwable original) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(original);
        return new EscapedThrowable(original, 0, seen);
    }

    /** Whether any message down the cause chain (and among suppressed exceptions) holds a control character. */
    static boolean needed(Throwable thrown) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return needed(thrown, seen, 0);
    }

    private static boolean needed(Throwable t, Set<Throwable> seen, int depth) {
        if (t == null || depth > MAX_DEPTH || !seen.add(t)) {
            return false;
        }
        if (LogText.needsEscaping(t.getMessage())) {
            return true;
        }
        for (Throwable suppressed : t.getSuppressed()) {
            if (needed(suppressed, seen, depth + 1)) {
                return true;
            }
        }
        return needed(t.getCause(), seen, depth + 1);
    }

    @Override
    public String toString() {
        String message = getLocalizedMessage();
        return message == null ? originalClass : originalClass + ": " + message;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
