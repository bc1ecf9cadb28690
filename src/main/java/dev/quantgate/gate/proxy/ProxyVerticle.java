package dev.quantgate.gate.proxy;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.httpproxy.HttpProxy;

/**
 * One event loop's share of the proxy: a server on the proxy's port (Vert.x spreads connections over every instance
 * listening on it) and a client to MLflow of its own, so a request and its forwarded copy stay on one event loop and
 * a streamed body never hops threads chunk by chunk.
 */
final class ProxyVerticle extends AbstractVerticle {

    /**
     * MLflow's servers close idle connections early (uvicorn after 5 s, gunicorn after 2 s): the proxy lets its own
     * go sooner, so it never sends a request down a connection the server is closing.
     */
    private static final int KEEP_ALIVE_SECONDS = 2;
    /** Bodies move in chunks of up to 64 KiB (Vert.x's default is 8 KiB): fewer, larger writes for artifacts. */
    private static final int CHUNK_BYTES = 64 * 1024;

    private final Origin origin;
    private final ProxyConfig config;
    private final ProxyGate gate;
    private final int port;
    private HttpServer server;
    private HttpClient client;

    /** Where MLflow is, and how long to wait for it. */
    record Origin(String host, int port, boolean tls, String basePath, int connectTimeoutMs, long idleTimeoutMs) {
    }

    ProxyVerticle(Origin origin, ProxyConfig config, ProxyGate gate, int port) {
        this.origin = origin;
        this.config = config;
        this.gate = gate;
        this.port = port;
    }

    @Override
    public void start(Promise<Void> started) {
        client = vertx.createHttpClient(new HttpClientOptions().setSsl(origin.tls()).setMaxPoolSize(config.maxConnections())
                .setKeepAlive(true).setKeepAliveTimeout(KEEP_ALIVE_SECONDS).setConnectTimeout(origin.connectTimeoutMs())
                .setDecompressionSupported(false).setMaxChunkSize(CHUNK_BYTES));
        HttpProxy proxy = HttpProxy.reverseProxy(client)
                .origin(context -> context.client().request(new RequestOptions().setHost(origin.host())
                        .setPort(origin.port()).setSsl(origin.tls()).setIdleTimeout(origin.idleTimeoutMs())))
                .addInterceptor(new Forwarding(origin.basePath()))
                .addInterceptor(new GuardedWrites(vertx, gate, config.maxDecidedBodyBytes()));
        server = vertx.createHttpServer(new HttpServerOptions().setHandle100ContinueAutomatically(true)
                .setMaxInitialLineLength(16 * 1024).setMaxHeaderSize(32 * 1024).setMaxChunkSize(CHUNK_BYTES)
                .setCompressionSupported(false));
        server.requestHandler(proxy).listen(port, config.host()).<Void>mapEmpty().onComplete(started);
    }

    /** The port it listens on (the free one picked, when asked for port 0). */
    int actualPort() {
        return server.actualPort();
    }

    @Override
    public void stop() {
        client.close();
    }
}
