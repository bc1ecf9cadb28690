package dev.quantgate.api;

/**
 * The roles an API token can carry; used in {@code @RolesAllowed}. Lives in {@code api}, next to the
 * error catalogue, so that every feature (the audit trail included) can name roles without
 * depending on {@code security}, which itself depends on the audit trail.
 */
public final class Roles {

    /** Manages tokens, retries parked deliveries, changes anything. */
    public static final String ADMIN = "admin";
    /** Platform or ML engineer: writes registry-facing resources, requests promotions. */
    public static final String ENGINEER = "engineer";
    /** Reads everything, changes nothing. */
    public static final String AUDITOR = "auditor";
    /** A quantization/evaluation worker talking to the server's worker API. */
    public static final String WORKER = "worker";

    private Roles() {
    }
}
