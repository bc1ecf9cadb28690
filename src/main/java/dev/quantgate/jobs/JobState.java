package dev.quantgate.jobs;

import java.util.Locale;
import java.util.Set;

/** A job's states as stored; {@link #id()} is the stored and shown form. */
public enum JobState {
    PREPARING, QUEUED, LEASED, RUNNING, SUCCEEDED, NOT_APPLICABLE, FAILED, PARKED;

    /** States a job does not leave by itself (an admin's retry re-queues failed and parked ones). */
    public static final Set<JobState> TERMINAL = Set.of(SUCCEEDED, NOT_APPLICABLE, FAILED, PARKED);

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return TERMINAL.contains(this);
    }

    public static JobState of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }

    /** Reads a state filter, naming the choices when it is none of them. */
    public static JobState parse(String text) {
        for (JobState s : values()) {
            if (s.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("state must be one of preparing, queued, leased, running, succeeded,"
                + " not_applicable, failed, parked, was '" + text + "'");
    }
}
