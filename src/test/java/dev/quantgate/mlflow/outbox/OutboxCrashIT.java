package dev.quantgate.mlflow.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.testing.Await;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.PackagedApp;
import dev.quantgate.worker.PipelineTestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged server SIGKILLed while its outbox is sending a write to MLflow (MLflow takes 25 s to answer, the
 * write already applied), then restarted on the same data: the write's claim lapses within the claim length (30 s by
 * default, renewed while a send lasts), not the longest a send could take (350 s before), so the write is sent again
 * soon after the restart, and MLflow ends with exactly one run per job.
 */
class OutboxCrashIT {

    private static final String MODEL = "adult-outbox-crash";
    private static final String ADMIN = "outbox-crash-admin-token-0123456789";
    private static final Duration CLAIM_LENGTH = Duration.ofSeconds(30); // the default of quantgate.mlflow.outbox.claim-length
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path work;
    private Process app;
    private FakeMlflow mlflow;
    private int port;

    @Test
    void shouldSendAWriteWhoseSenderWasKilledMidSendSoonAfterTheRestartAndOnlyOnceIntoMlflow() throws Exception {
        Path jar = Path.of(System.getProperty("quantgate.app.jar", "target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.isRegularFile(jar), "the packaged application is needed: " + jar + " (mvn package)");
        work = Files.createTempDirectory("quantgate-outbox-crash");
        Path policies = Files.createDirectories(work.resolve("policies"));
        Files.writeString(policies.resolve("adult-income.yaml"), PipelineTestProfile.POLICY);
        mlflow = new FakeMlflow();
        mlflow.start();
        mlflow.createVersion(MODEL, "run0");
        mlflow.slowWrites(Duration.ofSeconds(25)); // under the 30 s read timeout: the kill lands first
        port = PackagedApp.freePort();

        app = start(jar, policies, "run-1.log"); // the poller finds the version, the planner plans four jobs
        long[] inFlight = new long[1];
        Await.until(() -> items().stream().filter(i -> "PENDING".equals(i.path("status").asText())
                        && i.path("attempts").asInt() == 1 && (i.path("lastError").isNull() || i.path("lastError").isMissingNode()))
                .peek(i -> inFlight[0] = i.path("id").asLong()).findFirst().isPresent(),
                Duration.ofSeconds(90), "an outbox write of " + MODEL + " being sent");
        app.destroyForcibly(); // SIGKILL mid-send
        Instant killedAt = Instant.now();
        assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the JVM is gone");
        mlflow.up(); // MLflow answers at once from now on

        app = start(jar, policies, "run-2.log");
        Instant readyAt = Instant.now();
        Await.until(() -> "SENT".equals(item(inFlight[0]).path("status").asText()), Duration.ofSeconds(90),
                "the write killed mid-send is sent again");
        JsonNode sent = item(inFlight[0]);
        Instant sentAt = Instant.parse(sent.path("sentAt").asText());
        System.out.printf("outbox write %d (%s): killed mid-send, restarted ready %.1f s later, sent %.1f s after the "
                        + "kill%n", inFlight[0], sent.path("kind").asText(),
                Duration.between(killedAt, readyAt).toMillis() / 1e3, Duration.between(killedAt, sentAt).toMillis() / 1e3);
        assertEquals(2, sent.path("attempts").asInt(), "the killed attempt and the one after the restart");
        Instant latest = (readyAt.isAfter(killedAt.plus(CLAIM_LENGTH)) ? readyAt : killedAt.plus(CLAIM_LENGTH))
                .plusSeconds(10);
        assertTrue(sentAt.isBefore(latest), "sent within the claim length of the kill (or soon after the restart): "
                + Duration.between(killedAt, sentAt));

        Await.until(() -> items().stream().allMatch(i -> "SENT".equals(i.path("status").asText())),
                Duration.ofSeconds(90), "every write of " + MODEL + " sent");
        JsonNode jobs = get("/api/v1/jobs?model=" + MODEL).path("items");
        assertEquals(4, jobs.size(), jobs.toString());
        for (JsonNode job : jobs) {
            String id = job.path("id").asText();
            assertEquals(1, mlflow.runs().stream().filter(r -> id.equals(r.tags.get("quantgate.job_id"))).count(),
                    "one MLflow run for job " + id);
        }
    }

    private Process start(Path jar, Path policies, String log) throws Exception {
        return PackagedApp.start(jar, work.resolve("pg"), port, work.resolve(log),
                "quantgate.role=server",
                "quantgate.policies.dir=" + policies,
                "quantgate.security.admin-token=" + ADMIN,
                "quantgate.mlflow.url=" + mlflow.url(),
                "quantgate.mlflow.poll-interval=1s",
                "quantgate.mlflow.outbox.dispatch-every=200ms");
    }

    /** This model's outbox writes, every page. */
    private List<JsonNode> items() {
        List<JsonNode> out = new ArrayList<>();
        String after = "";
        do {
            JsonNode page = get("/api/v1/admin/mlflow/outbox?limit=200&after=" + after);
            page.path("items").forEach(i -> {
                if (MODEL.equals(i.path("model").asText())) {
                    out.add(i);
                }
            });
            after = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asText();
        } while (after != null);
        return out;
    }

    private JsonNode item(long id) {
        return get("/api/v1/admin/mlflow/outbox/" + id);
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (mlflow != null) {
            mlflow.stop();
        }
        PackagedApp.tearDown(app, work, "outbox-crash-logs");
    }
}
