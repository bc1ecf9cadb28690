package dev.quantgate.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The least-privilege role split, applied by a superuser connection: an owner role that owns the schema
 * and runs the Flyway migrations, and an application role the service connects as. Neither is a
 * superuser; the application role owns nothing, so it cannot alter or disable the audit triggers, and
 * the grants made after each migration ({@code afterMigrate.sql}) give it no UPDATE, DELETE or TRUNCATE
 * on the audit trail. Every statement is idempotent: it runs on every start.
 */
public final class DatabaseRoles {

    /** Owns the schema and every object in it; Flyway connects as this role. */
    public static final String OWNER = "quantgate_owner";
    /** The service's own connections. */
    public static final String APP = "quantgate_app";

    private DatabaseRoles() {
    }

    /** Creates both roles if absent (cluster-wide) and sets their passwords when given. */
    public static void ensureRoles(Connection superuser, String ownerPassword, String appPassword) throws SQLException {
        try (Statement s = superuser.createStatement()) {
            for (String role : new String[] {OWNER, APP}) {
                s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role + "') THEN"
                        + " CREATE ROLE " + role + " LOGIN; END IF; END $$");
                s.execute("ALTER ROLE " + role + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
            }
            if (ownerPassword != null) {
                s.execute("ALTER ROLE " + OWNER + " PASSWORD '" + literal(ownerPassword) + "'");
            }
            if (appPassword != null) {
                s.execute("ALTER ROLE " + APP + " PASSWORD '" + literal(appPassword) + "'");
            }
        }
    }

    /**
     * Makes the owner role own the {@code public} schema of the connected database and every object in it
     * (a database migrated before the split belongs to the superuser), and closes the schema to others.
     */
    public static void ensureOwnership(Connection superuser) throws SQLException {
        try (Statement s = superuser.createStatement()) {
            s.execute("ALTER SCHEMA public OWNER TO " + OWNER);
            s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            s.execute("GRANT USAGE ON SCHEMA public TO " + APP);
            s.execute("""
                    DO $$
                    DECLARE r record;
                    BEGIN
                      FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                                 AND pg_get_userbyid(c.relowner) <> '%1$s'
                                 AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                                 AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
                      LOOP
                        EXECUTE format('ALTER %%s public.%%I OWNER TO %1$s',
                          CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                         WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.relname);
                      END LOOP;
                      FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                               WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> '%1$s'
                      LOOP
                        EXECUTE format('ALTER ROUTINE %%s OWNER TO %1$s', r.sig);
                      END LOOP;
                    END $$""".formatted(OWNER));
        }
    }

    private static String literal(String value) {
        if (value.indexOf('\'') >= 0 || value.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("A role password must not contain quotes or backslashes");
        }
        return value;
    }
}
