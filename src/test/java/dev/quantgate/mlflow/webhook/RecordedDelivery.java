package dev.quantgate.mlflow.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A webhook delivery recorded from a real MLflow 3.5.1 ({@code ../shared/mlflow-fixtures/webhooks/}):
 * the headers exactly as received, the raw body and the secret the webhook was created with.
 */
record RecordedDelivery(String file, String secret, Map<String, String> headers, String body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Path dir() {
        return Path.of(System.getProperty("quantgate.shared.dir", "../shared"), "mlflow-fixtures", "webhooks");
    }

    /** Every single-delivery fixture (not the retry observation), signed or not. */
    static List<RecordedDelivery> all() {
        try (Stream<Path> files = Files.list(dir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().startsWith("_observed"))
                    .sorted()
                    .map(RecordedDelivery::load)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<RecordedDelivery> signed() {
        return all().stream().filter(d -> d.secret() != null).toList();
    }

    static RecordedDelivery load(String file) {
        return load(dir().resolve(file));
    }

    /** The attempts of {@code _observed_retries_on_http_500.json}: one delivery sent four times. */
    static List<RecordedDelivery> retryAttempts() {
        JsonNode root = read(dir().resolve("_observed_retries_on_http_500.json"));
        String secret = root.get("secret").asText();
        return java.util.stream.StreamSupport.stream(root.get("attempts").spliterator(), false)
                .map(a -> new RecordedDelivery("_observed_retries_on_http_500.json", secret, headers(a.get("headers")),
                        a.get("body").asText()))
                .toList();
    }

    private static RecordedDelivery load(Path file) {
        JsonNode root = read(file);
        JsonNode secret = root.get("secret");
        return new RecordedDelivery(file.getFileName().toString(), secret == null || secret.isNull() ? null : secret.asText(),
                headers(root.get("headers")), root.get("body").asText());
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read fixture " + file, e);
        }
    }

    private static Map<String, String> headers(JsonNode node) {
        Map<String, String> headers = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return headers;
    }

    String deliveryId() {
        return headers.get("X-MLflow-Delivery-Id");
    }

    String timestamp() {
        return headers.get("X-MLflow-Timestamp");
    }

    String signature() {
        return headers.get("X-MLflow-Signature");
    }

    byte[] bodyBytes() {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The headers to replay: all recorded ones except those the HTTP client owns for the connection
     * it uses ({@code Host}, {@code Content-Length}, {@code Connection}).
     */
    Map<String, String> replayHeaders() {
        Map<String, String> replay = new LinkedHashMap<>(headers);
        replay.remove("Host");
        replay.remove("Content-Length");
        replay.remove("Connection");
        return replay;
    }

    RecordedDelivery withHeader(String name, String value) {
        Map<String, String> changed = new LinkedHashMap<>(headers);
        changed.put(name, value);
        return new RecordedDelivery(file, secret, changed, body);
    }

    RecordedDelivery withBody(String newBody) {
        return new RecordedDelivery(file, secret, headers, newBody);
    }

    @Override
    public String toString() {
        return file;
    }
}
