package dev.quantgate.mlflow.webhook;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.Arc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/** Puts a parked delivery straight into the inbox, for tests that need one to read or retry. */
public final class ParkedDeliveries {

    private ParkedDeliveries() {
    }

    /** @return the new parked delivery's id */
    public static String insert() {
        String id = UUID.randomUUID().toString();
        String model = "parked-" + id;
        String body = "{\"entity\": \"model_version_tag\", \"action\": \"set\", \"timestamp\": \"2026-11-26T17:51:00.000000+00:00\","
                + " \"data\": {\"name\": \"" + model + "\", \"version\": \"1\", \"key\": \"k\", \"value\": \"v\"}}";
        AgroalDataSource dataSource = Arc.container().instance(AgroalDataSource.class).get();
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO webhook_delivery (delivery_id, signed_at, entity, action, model_name, order_key, body,"
                        + " status, attempts, last_error) VALUES (?, 1795715460, 'model_version_tag', 'set', ?, ?, ?,"
                        + " 'parked', 8, 'IllegalStateException: test')")) {
            insert.setString(1, id);
            insert.setString(2, model);
            insert.setString(3, "model:" + model);
            insert.setString(4, body);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }
}
