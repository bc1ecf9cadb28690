package dev.quantgate.gate;

import dev.quantgate.gate.proxy.MlflowProxy;
import io.quarkus.arc.Arc;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls to QuantGate's MLflow proxy as the proxy tests make them (an MLflow client's HTTP/1.1 calls). */
final class ProxyCalls {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ProxyCalls() {
    }

    static URI proxy(String pathAndQuery) {
        int port = Arc.container().instance(MlflowProxy.class).get().port();
        assertTrue(port > 0, "the proxy runs in the test profile");
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build();
    }

    static String aliasBody(String model, String alias, String version) {
        return "{\"name\": \"" + model + "\", \"alias\": \"" + alias + "\", \"version\": \"" + version + "\"}";
    }

    static HttpResponse<String> setAlias(String prefix, String model, String alias, String version,
                                        String authorization) throws IOException, InterruptedException {
        return post(proxy(prefix + "registered-models/alias"), aliasBody(model, alias, version), authorization);
    }

    static HttpResponse<String> post(URI uri, String body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Headers without the ones a hop may set (date, connection management). */
    static Map<String, List<String>> endToEnd(HttpResponse<?> r) {
        Map<String, List<String>> headers = new TreeMap<>();
        r.headers().map().forEach((k, v) -> {
            if (!List.of("date", "connection", "keep-alive", "transfer-encoding").contains(k.toLowerCase())) {
                headers.put(k.toLowerCase(), v);
            }
        });
        return headers;
    }

    static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String sha256(InputStream in) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
