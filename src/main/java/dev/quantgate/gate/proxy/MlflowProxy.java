package dev.quantgate.gate.proxy;

import dev.quantgate.jobs.ProcessRole;
import dev.quantgate.mlflow.client.MlflowConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
 * it. Started at startup when enabled, as one {@link ProxyVerticle} per event loop; a {@code worker} process never
 * starts it.
 */
@ApplicationScoped
public class MlflowProxy {

    private static final Logger LOG = Logger.getLogger(MlflowProxy.class);

    private final Vertx vertx;
    private final ProxyConfig config;
    private final MlflowConfig mlflow;
    private final ProcessRole role;
    private final ProxyGate gate;
    private final List<String> deployments = new ArrayList<>();
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
        URI url = URI.create(mlflow.url().orElseThrow(() -> new IllegalStateException(
                "quantgate.proxy.enabled is true but quantgate.mlflow.url is not set: the proxy has nothing to forward to")));
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        if (!tls && !"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new IllegalStateException("quantgate.mlflow.url must be an http(s) URL, was '" + url + "'");
        }
        ProxyVerticle.Origin origin = new ProxyVerticle.Origin(url.getHost(), url.getPort() > 0 ? url.getPort() : tls ? 443 : 80,
                tls, url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", ""),
                (int) mlflow.connectTimeout().toMillis(), mlflow.readTimeout().toMillis());
        int loops = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
        // Vert.x shares a listening socket between instances that ask for the same host and port; a server asked
        // for port 0 is filed under 0, so the others could not join it by its actual port. Port 0 is therefore
        // turned into a concrete free port first, and every instance asks for that one.
        int wanted = config.port() == 0 ? freePort(config.host()) : config.port();
        ProxyVerticle first = new ProxyVerticle(origin, config, gate, wanted);
        deployments.add(await(vertx.deployVerticle(first)));
        int bound = first.actualPort();
        if (loops > 1) {
            deployments.add(await(vertx.deployVerticle(() -> new ProxyVerticle(origin, config, gate, bound),
                    new DeploymentOptions().setInstances(loops - 1))));
        }
        port = bound;
        LOG.infof("MLflow proxy listening on %s:%d, forwarding to %s (%d event loops)", config.host(), port, url, loops);
    }

    void stop(@Observes ShutdownEvent event) {
        for (String id : deployments) {
            try {
                await(vertx.undeploy(id));
            } catch (Exception e) {
                LOG.debugf("stopping the MLflow proxy: %s", e.toString());
            }
        }
        deployments.clear();
        port = -1;
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    private static <T> T await(Future<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
