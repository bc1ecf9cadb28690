package dev.quantgate.mlflow.outbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.client.MlflowWriteJson;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Writes queued before V35 (REST call only) are rebuilt as their records, so they are sent and confirmed as before. */
class OutboxUpgradeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldRebuildEveryWriteQueuedBeforeKindsExisted() throws Exception {
        List<MlflowWrite.Call> queued = List.of(
                new MlflowWrite.SetAlias("m", "champion", "3"),
                new MlflowWrite.DeleteAlias("m", "champion"),
                new MlflowWrite.SetVersionTag("m", "1", "quantgate.status", "running"),
                new MlflowWrite.DeleteVersionTag("m", "1", "quantgate.status"),
                new MlflowWrite.TransitionStage("m", "1", "Staging", true));
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            migrate(pg, "25");
            try (Connection c = pg.getPostgresDatabase().getConnection(); PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO mlflow_outbox (model_name, description, http_method, path, body, next_attempt_at,"
                            + " created_at, created_by) VALUES (?, ?, ?, ?, ?, now(), now(), 'tests')")) {
                for (MlflowWrite.Call write : queued) {
                    insert.setString(1, write.model());
                    insert.setString(2, write.describe());
                    insert.setString(3, write.method());
                    insert.setString(4, write.path());
                    insert.setString(5, JSON.writeValueAsString(write.body()));
                    insert.executeUpdate();
                }
            }
            migrate(pg, "latest");

            List<MlflowWrite> rebuilt = new ArrayList<>();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT kind, write_json FROM mlflow_outbox ORDER BY id")) {
                while (rs.next()) {
                    rebuilt.add(MlflowWriteJson.read(rs.getString(1), rs.getString(2), JSON));
                }
            }
            assertEquals(queued, rebuilt);
        }
    }

    private static void migrate(EmbeddedPostgres pg, String target) {
        Flyway.configure().dataSource(pg.getPostgresDatabase()).locations("filesystem:migrations")
                .placeholders(Map.of("appRole", "")).target(target).load().migrate();
    }
}
