package dev.quantgate.gate.proxy;

import dev.quantgate.jobs.ProcessRole;
import dev.quantgate.mlflow.client.MlflowConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.httpproxy.HttpProxy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * QuantGate's MLflow proxy: MLflow's REST API, artifact proxy and web UI forwarded on a port of QuantGate's own
 * ({@code quantgate.proxy.port}) to {@code quantgate.mlflow.url}, bodies streamed both ways with backpressure
 * (Vert.x's reverse proxy on the Vert.x instance Quarkus runs), and a call that would move a protected alias or stage
 * decided before it reaches MLflow ({@link GuardedWrites}). Users get it by pointing {@code MLFLOW_TRACKING_URI} at
 * it. Started at startup when enabled; a {@code worker} process never starts it.
 */
@ApplicationScoped
public class MlflowProxy {

    private static final Logger LOG = Logger.getLogger(MlflowProxy.class);
    /**
     * MLflow's servers close idle connections early (uvicorn after 5 s, gunicorn after 2 s): the proxy lets its own
     * go sooner, so it never sends a request down a connection the server is closing.
     */
    private static final int KEEP_ALIVE_SECONDS = 2;

    private final Vertx vertx;
    private final ProxyConfig config;
    private final MlflowConfig mlflow;
    private final ProcessRole role;
    private final ProxyGate gate;
    private final List<HttpServer> servers = new ArrayList<>();
    private HttpClient client;
    private volatile int port = -1;

    public MlflowProxy(Vertx vertx, ProxyConfig config, MlflowConfig mlflow, ProcessRole role, ProxyGate gate) {
        this.vertx = vertx;
        this.config = config;
        this.mlflow = mlflow;
        this.role = role;
        this.gate = gate;
    }

    /** The port the proxy listens on, or -1 when it does not run. */
    public int port() {
        return port;
    }

    void start(@Observes StartupEvent event) throws Exception {
        boolean enabled = config.enabled().orElse(mlflow.url().isPresent());
        if (!enabled || !role.runsServer()) {
            LOG.debugf("MLflow proxy off (enabled=%s, role=%s)", enabled, role.role());
            return;
        }
        URI origin = URI.create(mlflow.url().orElseThrow(() -> new IllegalStateException(
                "quantgate.proxy.enabled is true but quantgate.mlflow.url is not set: the proxy has nothing to forward to")));
        boolean tls = "https".equalsIgnoreCase(origin.getScheme());
        if (!tls && !"http".equalsIgnoreCase(origin.getScheme()) || origin.getHost() == null) {
            throw new IllegalStateException("quantgate.mlflow.url must be an http(s) URL, was '" + origin + "'");
        }
        int originPort = origin.getPort() > 0 ? origin.getPort() : tls ? 443 : 80;
        String basePath = origin.getRawPath() == null ? "" : origin.getRawPath().replaceAll("/+$", "");
        client = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setMaxPoolSize(config.maxConnections())
                .setKeepAlive(true).setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setConnectTimeout((int) mlflow.connectTimeout().toMillis()).setDecompressionSupported(false));
        long idleTimeout = mlflow.readTimeout().toMillis();
        HttpProxy proxy = HttpProxy.reverseProxy(client)
                .origin(context -> context.client().request(new RequestOptions().setHost(origin.getHost())
                        .setPort(originPort).setSsl(tls).setIdleTimeout(idleTimeout)))
                .addInterceptor(new Forwarding(basePath))
                .addInterceptor(new GuardedWrites(vertx, gate, config.maxDecidedBodyBytes()));
        HttpServerOptions options = new HttpServerOptions().setHandle100ContinueAutomatically(true)
                .setMaxInitialLineLength(16 * 1024).setMaxHeaderSize(32 * 1024).setCompressionSupported(false);
        int loops = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
        int bound = config.port();
        for (int i = 0; i < loops; i++) {
            // every server on the same port: Vert.x spreads the connections over their event loops
            HttpServer server = vertx.createHttpServer(options).requestHandler(proxy);
            bound = await(server.listen(bound, config.host())).actualPort();
            servers.add(server);
        }
        port = bound;
        LOG.infof("MLflow proxy listening on %s:%d, forwarding to %s (%d event loops)", config.host(), port,
                origin, loops);
    }

    void stop(@Observes ShutdownEvent event) {
        for (HttpServer server : servers) {
            try {
                await(server.close());
            } catch (Exception e) {
                LOG.debugf("closing the MLflow proxy: %s", e.toString());
            }
        }
        servers.clear();
        if (client != null) {
            client.close();
        }
        port = -1;
    }

    private static <T> T await(Future<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
