import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Signed MLflow deliveries for the webhook ingestion benchmark (run as a single file: {@code java bench/SignedDeliveries.java}).
 *
 * <pre>
 * generate COUNT SECRET              one pre-signed delivery per line on stdout: id TAB timestamp TAB signature TAB body
 * rate URL SECRET PER_SECOND SECONDS sends deliveries at a fixed rate (open loop: latency counts from the planned
 *                                    send time, so a stall is not hidden) and prints latency percentiles;
 *                                    CONNECTIONS_AT_RATE (default 16) keep-alive connections
 * </pre>
 * Bodies are shaped like MLflow's model_version_tag.set deliveries (about 200 bytes), spread over 50 models.
 */
public class SignedDeliveries {

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("generate")) {
            generate(Integer.parseInt(args[1]), args[2]);
        } else if (args.length >= 5 && args[0].equals("rate")) {
            rate(URI.create(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        } else {
            System.err.println("usage: generate COUNT SECRET | rate URL SECRET PER_SECOND SECONDS");
            System.exit(2);
        }
    }

    record Delivery(String id, String timestamp, String signature, String body) {
    }

    static Delivery delivery(String secret, long n) throws Exception {
        String id = UUID.randomUUID().toString();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        String body = "{\"entity\": \"model_version_tag\", \"action\": \"set\", \"timestamp\": \"" + Instant.now()
                + "\", \"data\": {\"name\": \"bench-model-" + (n % 50) + "\", \"version\": \"1\", \"key\": \"step\", \"value\": \""
                + n + "\"}}";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] signed = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        return new Delivery(id, timestamp, "v1," + Base64.getEncoder().encodeToString(signed), body);
    }

    static void generate(int count, String secret) throws Exception {
        try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)) {
            for (int i = 0; i < count; i++) {
                Delivery d = delivery(secret, i);
                out.write(d.id() + "\t" + d.timestamp() + "\t" + d.signature() + "\t" + d.body() + "\n");
            }
        }
    }

    /**
     * Open-loop fixed-rate sender: delivery i is planned at start + i/rate and its latency is counted
     * from that planned time (a slow answer cannot hide the sends it delayed). {@code CONNECTIONS}
     * sender threads each keep one HTTP/1.1 keep-alive connection and take every CONNECTIONS-th
     * delivery; plain sockets keep the client's own cost far below the server's.
     */
    static void rate(URI url, String secret, int perSecond, int seconds) throws Exception {
        int connections = Integer.parseInt(System.getenv().getOrDefault("CONNECTIONS_AT_RATE", "16"));
        run(url, secret, perSecond, Math.min(5, seconds), connections); // warm-up, not counted
        Result result = run(url, secret, perSecond, seconds, connections);
        long[] latencies = result.latencies();
        Arrays.sort(latencies);
        System.out.printf("fixed rate: %d deliveries/s for %d s over %d connections: %d sent in %.1f s, %d not 202%n",
                perSecond, seconds, connections, latencies.length, result.elapsedNanos() / 1e9, result.errors());
        System.out.printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                pct(latencies, 50), pct(latencies, 90), pct(latencies, 99), pct(latencies, 99.9),
                latencies[latencies.length - 1] / 1e6);
        System.out.printf("P99_MS=%.2f%n", pct(latencies, 99));
        System.exit(result.errors() == 0 ? 0 : 1);
    }

    record Result(long[] latencies, int errors, long elapsedNanos) {
    }

    static Result run(URI url, String secret, int perSecond, int seconds, int connections) throws Exception {
        int total = perSecond * seconds;
        byte[][] requests = new byte[total][];
        String host = url.getHost() + ":" + url.getPort();
        for (int i = 0; i < total; i++) {
            Delivery d = delivery(secret, i);
            byte[] body = d.body().getBytes(StandardCharsets.UTF_8);
            String head = "POST " + url.getPath() + " HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Type: application/json\r\nX-MLflow-Delivery-Id: " + d.id()
                    + "\r\nX-MLflow-Timestamp: " + d.timestamp() + "\r\nX-MLflow-Signature: " + d.signature()
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n";
            byte[] head8 = head.getBytes(StandardCharsets.US_ASCII);
            requests[i] = Arrays.copyOf(head8, head8.length + body.length);
            System.arraycopy(body, 0, requests[i], head8.length, body.length);
        }
        long[] latencies = new long[total];
        AtomicInteger errors = new AtomicInteger();
        long intervalNanos = 1_000_000_000L / perSecond;
        long start = System.nanoTime() + 200_000_000L;
        Thread[] threads = new Thread[connections];
        for (int t = 0; t < connections; t++) {
            int first = t;
            threads[t] = new Thread(() -> {
                try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
                    socket.setTcpNoDelay(true);
                    java.io.OutputStream out = socket.getOutputStream();
                    java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                    for (int i = first; i < total; i += connections) {
                        long planned = start + i * intervalNanos;
                        long wait = planned - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        out.write(requests[i]);
                        out.flush();
                        int status = readResponse(in);
                        latencies[i] = System.nanoTime() - planned;
                        if (status != 202) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new Result(latencies, errors.get(), System.nanoTime() - start);
    }

    /** Reads one HTTP/1.1 response (status line, headers, Content-Length body) and returns its status. */
    static int readResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            int n = head.length();
            if (n >= 4 && head.charAt(n - 4) == '\r' && head.charAt(n - 3) == '\n' && head.charAt(n - 2) == '\r'
                    && head.charAt(n - 1) == '\n') {
                break;
            }
        }
        if (b == -1) {
            throw new java.io.EOFException("connection closed");
        }
        String text = head.toString();
        int status = Integer.parseInt(text.substring(9, 12));
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return status;
    }

    static double pct(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
