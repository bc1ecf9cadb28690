import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.Executors;

/**
 * A fast stand-in MLflow for bench/proxy-overhead.sh (JDK HttpServer, run as {@code java bench/ProxyStandIn.java PORT MB}):
 * {@code GET /api/2.0/mlflow/registered-models/get} answers the recorded MLflow 3.5.1 reply
 * ({@code mlflow-fixtures/rest/registered-models-get.json}, byte for byte), and
 * {@code GET /api/2.0/mlflow-artifacts/artifacts/bench/model.bin} serves MB megabytes of random bytes from memory,
 * with a Content-Length, as MLflow's artifact proxy does.
 */
public final class ProxyStandIn {

    private static final byte[] RECORDED = ("{\n  \"registered_model\": {\n    \"name\": \"fixture-model\",\n"
            + "    \"creation_timestamp\": 1795715454633,\n    \"last_updated_timestamp\": 1795715454633,\n"
            + "    \"description\": \"Fixture model for contract tests\",\n    \"tags\": [\n      {\n"
            + "        \"key\": \"owner\",\n        \"value\": \"team-a\"\n      }\n    ]\n  }\n}")
            .getBytes(StandardCharsets.UTF_8);

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        byte[] artifact = new byte[Integer.parseInt(args[1]) * 1024 * 1024];
        new Random(1).nextBytes(artifact);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/api/2.0/mlflow/registered-models/get", exchange -> send(exchange, "application/json", RECORDED));
        server.createContext("/api/2.0/mlflow-artifacts/artifacts/bench/model.bin",
                exchange -> send(exchange, "application/octet-stream", artifact));
        server.start();
        System.out.println("stand-in MLflow on 127.0.0.1:" + port + ", artifact " + artifact.length + " bytes");
    }

    private static void send(HttpExchange exchange, String type, byte[] body) throws IOException {
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(200, body.length);
            for (int at = 0; at < body.length; at += 256 * 1024) {
                out.write(body, at, Math.min(256 * 1024, body.length - at));
            }
        }
    }
}
