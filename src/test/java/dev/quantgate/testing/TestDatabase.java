package dev.quantgate.testing;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Connections for tests that must act as someone other than the service: the owner role, or the service's role by hand. */
public final class TestDatabase {

    private TestDatabase() {
    }

    /** A connection as the owner role (it owns the tables: it may disable their triggers, as an intruder with it would). */
    public static Connection owner() throws SQLException {
        Config config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quantgate.db.owner-user", String.class),
                config.getValue("quantgate.db.owner-password", String.class));
    }

    /** A connection as the application role, outside the service's pool. */
    public static Connection app() throws SQLException {
        Config config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
    }
}
