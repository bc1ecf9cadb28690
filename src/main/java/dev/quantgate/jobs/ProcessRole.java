package dev.quantgate.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Locale;

/**
 * What this process is ({@code quantgate.role}): {@code all} (the default: the server and one in-process
 * worker), {@code server}, or {@code worker} (a worker reaching the server only through its REST API).
 */
@ApplicationScoped
public class ProcessRole {

    public enum Role { ALL, SERVER, WORKER }

    private final Role role;

    public ProcessRole(@ConfigProperty(name = "quantgate.role", defaultValue = "all") String role) {
        try {
            this.role = Role.valueOf(role.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quantgate.role is all, server or worker, was '" + role + "'", e);
        }
    }

    public Role role() {
        return role;
    }

    /** Whether this process runs the server side: planner, queue, reaper, REST API. */
    public boolean runsServer() {
        return role != Role.WORKER;
    }

    /** Whether this process runs the in-process worker (role {@code all}). */
    public boolean runsInProcessWorker() {
        return role == Role.ALL;
    }
}
