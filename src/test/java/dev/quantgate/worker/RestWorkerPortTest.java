package dev.quantgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker REST API's client against a local HTTP server answering as the agreed contract says. */
class RestWorkerPortTest {

    record Exchange(String method, String path, String authorization, String contentType, String body) {
    }

    record Answer(int status, String contentType, String body) {
    }

    private HttpServer server;
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private RestWorkerPort port;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            exchanges.add(new Exchange(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Content-Type"), body));
            Answer a = answers.getOrDefault(ex.getRequestURI().getPath(), new Answer(404, "text/plain", "no route"));
            byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
            if (a.contentType() != null) {
                ex.getResponseHeaders().add("Content-Type", a.contentType());
            }
            ex.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        port = new RestWorkerPort(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), "wk-secret",
                Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void shouldLeaseWithTheWorkerTokenAndReadTheAssignment() throws Exception {
        JobAssignment job = WorkerWireTest.assignment();
        answers.put("/api/v1/worker/lease", new Answer(200, "application/json", WorkerWire.write(job)));
        WorkerInfo me = new WorkerInfo("host-7", "cpu", Map.of("cores", 2));
        assertEquals(job, port.lease(me).orElseThrow());
        Exchange e = exchanges.get(0);
        assertEquals("POST", e.method());
        assertEquals("Bearer wk-secret", e.authorization());
        assertEquals("application/json", e.contentType());
        assertEquals(me, WorkerWire.read(e.body(), WorkerInfo.class));
    }

    @Test
    void shouldAnswerEmptyOnNoContent() {
        answers.put("/api/v1/worker/lease", new Answer(204, null, ""));
        assertTrue(port.lease(new WorkerInfo("w", "cpu", Map.of())).isEmpty());
    }

    @Test
    void shouldSendProgressOnHeartbeatAndReadTheNewLeaseEnd() throws Exception {
        answers.put("/api/v1/worker/jobs/42/heartbeat",
                new Answer(200, "application/json", "{\"lease_until\":\"2026-12-02T23:00:00Z\"}"));
        Instant until = port.heartbeat(42, "tok-1", new Progress(Progress.Stage.EVALUATING, 40));
        assertEquals(Instant.parse("2026-12-02T23:00:00Z"), until);
        JsonNode body = WorkerWire.mapper().readTree(exchanges.get(0).body());
        assertEquals("tok-1", body.get("lease_token").asText());
        assertEquals("EVALUATING", body.get("stage").asText());
        assertEquals(40, body.get("percent").asInt());
    }

    @Test
    void shouldTurnConflictIntoALostLease() {
        String problem = "{\"type\":\"about:blank\",\"title\":\"Lease lost\",\"status\":409}";
        answers.put("/api/v1/worker/jobs/42/heartbeat", new Answer(409, "application/problem+json", problem));
        answers.put("/api/v1/worker/jobs/42/report", new Answer(409, "application/problem+json", problem));
        assertThrows(LeaseLostException.class, () -> port.heartbeat(42, "old", new Progress(Progress.Stage.QUANTIZING, 0)));
        assertThrows(LeaseLostException.class,
                () -> port.report(42, "old", new JobOutcome.Failed("internal", "x", false)));
    }

    @Test
    void shouldReportTheOutcomeWithItsType() throws Exception {
        answers.put("/api/v1/worker/jobs/9/report", new Answer(204, null, ""));
        port.report(9, "tok-9", new JobOutcome.NotApplicable("nothing to quantize", Map.of()));
        JsonNode body = WorkerWire.mapper().readTree(exchanges.get(0).body());
        assertEquals("tok-9", body.get("lease_token").asText());
        assertEquals("not_applicable", body.get("outcome").get("type").asText());
        assertEquals("/api/v1/worker/jobs/9/report", exchanges.get(0).path());
    }

    @Test
    void shouldHandBackAJobWithItsLeaseTokenAndTurnConflictIntoALostLease() throws Exception {
        answers.put("/api/v1/worker/jobs/9/release", new Answer(204, null, ""));
        port.release(9, "tok-9");
        assertEquals("/api/v1/worker/jobs/9/release", exchanges.get(0).path());
        assertEquals("POST", exchanges.get(0).method());
        assertEquals("tok-9", WorkerWire.mapper().readTree(exchanges.get(0).body()).get("lease_token").asText());
        answers.put("/api/v1/worker/jobs/10/release", new Answer(409, "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Lease lost\",\"status\":409}"));
        assertThrows(LeaseLostException.class, () -> port.release(10, "old"));
        answers.put("/api/v1/worker/jobs/11/release", new Answer(500, "text/plain", "boom"));
        assertThrows(WorkerPortException.class, () -> port.release(11, "tok-11"));
    }

    @Test
    void shouldRaiseAnOutageForServerErrorsAndNoServer() {
        answers.put("/api/v1/worker/lease", new Answer(503, "text/plain", "maintenance"));
        WorkerPortException e = assertThrows(WorkerPortException.class,
                () -> port.lease(new WorkerInfo("w", "cpu", Map.of())));
        assertEquals(503, e.status());
        assertTrue(e.getMessage().contains("maintenance"), e.getMessage());

        int closed = server.getAddress().getPort();
        server.stop(0);
        RestWorkerPort gone = new RestWorkerPort(URI.create("http://127.0.0.1:" + closed), "t", Duration.ofSeconds(2),
                Duration.ofSeconds(2));
        WorkerPortException down = assertThrows(WorkerPortException.class,
                () -> gone.lease(new WorkerInfo("w", "cpu", Map.of())));
        assertEquals(0, down.status());
    }

    @Test
    void shouldRefuseAnAnswerThatIsNotTheContract() {
        answers.put("/api/v1/worker/lease", new Answer(200, "application/json", "{\"jobId\": \"not a number\""));
        assertThrows(WorkerPortException.class, () -> port.lease(new WorkerInfo("w", "cpu", Map.of())));
    }
}
