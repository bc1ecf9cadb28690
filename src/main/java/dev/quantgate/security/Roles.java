package dev.quantgate.security;

/**
 * The role names, kept here for code written before they moved.
 *
 * @deprecated use {@link dev.quantgate.api.Roles}: {@code audit} names roles without importing {@code security}
 */
@Deprecated(forRemoval = true)
public final class Roles {

    public static final String ADMIN = dev.quantgate.api.Roles.ADMIN;
    public static final String ENGINEER = dev.quantgate.api.Roles.ENGINEER;
    public static final String AUDITOR = dev.quantgate.api.Roles.AUDITOR;
    public static final String WORKER = dev.quantgate.api.Roles.WORKER;

    private Roles() {
    }
}
