package dev.quantgate.mlflow.poller;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** With {@code quantgate.mlflow.poll-interval} set, the mirror follows MLflow without any webhook. */
@QuarkusTest
@TestProfile(ScheduledPollingTest.PollEverySecond.class)
class ScheduledPollingTest {

    public static class PollEverySecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quantgate.mlflow.poll-interval", "1s");
        }
    }

    @Test
    void shouldMirrorMlflowChangesOnItsOwn() throws InterruptedException {
        FakeMlflow fake = FakeMlflow.get();
        String model = "scheduled-" + TestTokens.shortId();
        fake.model(model);
        fake.createVersion(model, "run1");
        fake.setAlias(model, "champion", 1);

        assertEquals(200, awaitStatus("/api/v1/registry/models/" + model + "/versions/1", 200));
        fake.transition(model, 1, "Production");
        long deadline = System.currentTimeMillis() + 20_000;
        String stage = "";
        while (System.currentTimeMillis() < deadline && !"Production".equals(stage)) {
            Thread.sleep(200);
            stage = TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/" + model + "/versions/1")
                    .then().extract().path("currentStage");
        }
        TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/" + model + "/versions/1").then()
                .body("currentStage", equalTo("Production"))
                .body("aliases[0]", equalTo("champion"));
    }

    private static int awaitStatus(String path, int wanted) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        int status = 0;
        while (System.currentTimeMillis() < deadline && status != wanted) {
            Thread.sleep(200);
            status = TestTokens.as(Roles.AUDITOR).get(path).statusCode();
        }
        return status;
    }
}
