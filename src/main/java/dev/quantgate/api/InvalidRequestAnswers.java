package dev.quantgate.api;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Handler;
import io.vertx.core.Verticle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.Deployment;
import io.vertx.core.impl.VertxInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers requests that Netty cannot decode with problem+json instead of Vert.x's empty body: an
 * oversized request line (414), an oversized header block (431), a non-numeric
 * {@code Content-Length} or {@code Content-Length} together with {@code Transfer-Encoding}, and any
 * other undecodable request (400). The connection is closed after the answer, as Vert.x does.
 *
 * <p>Vert.x takes such a handler only as {@code HttpServer.invalidRequestHandler} before the
 * server listens, and Quarkus creates and starts its servers without a hook for it. So once the
 * HTTP server has started, each server's connection handler is given this handler through
 * reflection on Vert.x 4.5's internals. When a Vert.x upgrade changes them this logs a warning
 * and Vert.x's own empty answers stay; {@code MalformedHttpTest} fails, so it is noticed.
 */
@ApplicationScoped
public class InvalidRequestAnswers {

    private static final Logger LOG = Logger.getLogger(InvalidRequestAnswers.class);

    private final Vertx vertx;
    private final AtomicInteger installed = new AtomicInteger();

    public InvalidRequestAnswers(Vertx vertx) {
        this.vertx = vertx;
    }

    void started(@ObservesAsync HttpServerStart start) {
        // The deployment that started the server is registered once its start completes.
        vertx.setTimer(1, id -> install());
        vertx.setTimer(200, id -> install());
    }

    /** How many server connection handlers answer invalid requests with problem+json. */
    public int installed() {
        return installed.get();
    }

    synchronized void install() {
        if (!(vertx instanceof VertxInternal internal)) {
            return;
        }
        int count = 0;
        try {
            for (String id : internal.deploymentIDs()) {
                Deployment deployment = internal.getDeployment(id);
                if (deployment == null) {
                    continue;
                }
                for (Verticle verticle : deployment.getVerticles()) {
                    for (String name : new String[] {"httpServer", "httpsServer"}) {
                        Object server = read(verticle, name);
                        if (server != null && server.getClass().getName().equals("io.vertx.core.http.impl.HttpServerImpl")) {
                            count += replace(server) ? 1 : 0;
                        }
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Malformed HTTP requests keep Vert.x's empty answers: cannot install the problem+json handler (%s)",
                    e.toString());
            return;
        }
        if (count == 0) {
            LOG.debugf("No HTTP server found yet to install problem+json answers on (%d deployments)",
                    internal.deploymentIDs().size());
        }
        if (count > installed.get()) {
            installed.set(count);
            LOG.debugf("Problem+json answers for undecodable requests installed on %d HTTP server(s)", count);
        }
    }

    private static boolean replace(Object server) throws ReflectiveOperationException {
        Object worker = readDeclared(server, Class.forName("io.vertx.core.net.impl.TCPServerBase"), "childHandler");
        if (worker == null) {
            return false;
        }
        Object connectionHandler = read(worker, "connectionHandler");
        if (connectionHandler == null) {
            return false;
        }
        Field field = field(connectionHandler.getClass(), "invalidRequestHandler");
        field.setAccessible(true);
        if (field.get(connectionHandler) instanceof Answer) {
            return true;
        }
        field.set(connectionHandler, new Answer());
        return true;
    }

    private static Object read(Object target, String name) throws ReflectiveOperationException {
        Field field = field(target.getClass(), name);
        if (field == null) {
            return null;
        }
        field.setAccessible(true);
        return field.get(target);
    }

    private static Object readDeclared(Object target, Class<?> owner, String name) throws ReflectiveOperationException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }

    private static Field field(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        return null;
    }

    /** The answer to one undecodable request. */
    static final class Answer implements Handler<HttpServerRequest> {

        @Override
        public void handle(HttpServerRequest request) {
            DecoderResult result = request.decoderResult();
            Throwable cause = result == null ? null : result.cause();
            ErrorCode code;
            String detail;
            if (cause instanceof TooLongHttpLineException) {
                code = ErrorCode.URI_TOO_LONG;
                detail = "The request line (method, URI and version) is longer than this server accepts";
            } else if (cause instanceof TooLongHttpHeaderException) {
                code = ErrorCode.HEADERS_TOO_LARGE;
                detail = "The request's header fields are larger than this server accepts";
            } else {
                code = ErrorCode.BAD_REQUEST;
                detail = describe(cause);
            }
            LOG.debugf("Undecodable HTTP request -> %d: %s", code.status(), cause == null ? "" : cause.getMessage());
            HttpServerResponse response = request.response();
            response.setStatusCode(code.status())
                    .putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .putHeader("Connection", "close");
            response.end(Buffer.buffer(HttpEdgeGuard.body(code, detail, null))).onComplete(done -> response.close());
        }

        private static String describe(Throwable cause) {
            String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
            if (message.contains("Content-Length") && message.contains("Transfer-Encoding")) {
                return "The request carries both Content-Length and Transfer-Encoding; send one of them";
            }
            if (message.contains("Content-Length")) {
                return "The Content-Length header is not a valid number of bytes";
            }
            if (message.contains("Transfer-Encoding")) {
                return "The Transfer-Encoding header is not valid";
            }
            return "The request is not valid HTTP/1.1 (its request line or a header cannot be read)";
        }
    }
}
