package dev.quantgate.api;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;

/**
 * Tells "PostgreSQL cannot be reached now" (down, stalled past the socket timeout, no connection
 * free within the acquisition timeout, shutting down) from every other failure, so that a read
 * answers 503 with {@code Retry-After} instead of 500. Looks down the cause chain: Hibernate,
 * Narayana and Agroal wrap the driver's exception.
 */
public final class DatabaseFailures {

    /** Seconds a client is asked to wait before trying again ({@code Retry-After}). */
    public static final int RETRY_AFTER_SECONDS = 5;
    private static final int MAX_DEPTH = 20;

    private DatabaseFailures() {
    }

    /** Whether this failure (or one of its causes) says the database is unreachable for now. */
    public static boolean isUnavailable(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SocketTimeoutException || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql && unavailableState(sql.getSQLState())) {
                return true;
            }
            String name = t.getClass().getName();
            if (name.equals("org.hibernate.exception.JDBCConnectionException")) {
                return true;
            }
            String message = t.getMessage();
            // Agroal: "Acquisition timeout while waiting for new connection"
            if (message != null && message.toLowerCase(Locale.ROOT).contains("acquisition timeout")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        return false;
    }

    /** SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now), 53300 (too many connections). */
    private static boolean unavailableState(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03") || state.equals("53300"));
    }
}
