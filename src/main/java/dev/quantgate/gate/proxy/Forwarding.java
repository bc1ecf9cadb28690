package dev.quantgate.gate.proxy;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The proxy's outermost step, both ways: hop-by-hop headers (RFC 9110 §7.6.1: the fixed ones and those a
 * {@code Connection} header names) are dropped, every end-to-end header ({@code Authorization} included) passes
 * unchanged; MLflow's base path is put in front of the request path; and MLflow not answering is told in MLflow's
 * own error shape, 503 {@code TEMPORARILY_UNAVAILABLE}, never as a stack trace.
 */
final class Forwarding implements ProxyInterceptor {

    private static final Logger LOG = Logger.getLogger(Forwarding.class);
    /** {@code Expect} too: the proxy answers {@code 100-continue} itself and streams the body on. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect");

    private static final int WRITE_QUEUE_BYTES = 1024 * 1024;

    private final String basePath;

    Forwarding(String basePath) {
        this.basePath = basePath;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        // a deeper write queue towards the client: MLflow's answer streams with fewer pauses (backpressure still holds)
        context.request().proxiedRequest().response().setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        dropHopByHop(context.request().headers());
        if (!basePath.isEmpty()) {
            context.request().setURI(basePath + context.request().getURI());
        }
        return context.sendRequest().recover(failure -> {
            LOG.debugf("MLflow did not answer %s %s: %s", context.request().getMethod(),
                    context.request().proxiedRequest().path(), failure.toString());
            String body = MlflowErrorBody.of(MlflowErrorBody.TEMPORARILY_UNAVAILABLE, "MLflow is not reachable through"
                    + " QuantGate's proxy right now (" + failure.getClass().getSimpleName() + "); try again shortly.");
            return Future.succeededFuture(context.request().release().response().setStatusCode(503)
                    .putHeader("Content-Type", "application/json").putHeader("Retry-After", "5")
                    .setBody(Body.body(Buffer.buffer(body))));
        });
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        dropHopByHop(context.response().headers());
        return context.sendResponse();
    }

    static void dropHopByHop(MultiMap headers) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll("connection")) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) {
                    named.add(token.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        named.forEach(headers::remove);
        HOP_BY_HOP.forEach(headers::remove);
    }
}
