package dev.quantgate.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Answers, as problem+json from the error catalogue, the malformed requests that the HTTP layer
 * refuses before any REST resource sees them (which Vert.x would answer with an empty body):
 * a malformed percent-escape in the path or query (400), and a declared {@code Content-Length}
 * over {@code quarkus.http.limits.max-body-size} (413). Requests that Netty cannot even decode
 * (a non-numeric {@code Content-Length}, an oversized request line or header block) are answered
 * by {@link InvalidRequestAnswers}.
 */
@ApplicationScoped
public class HttpEdgeGuard {

    /** Before Quarkus's own upload-limit handler (order -2), after the webhook route (order -100), which has its own limit. */
    static final int ORDER = -50;
    private static final Logger LOG = Logger.getLogger(HttpEdgeGuard.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long maxBodyBytes;

    public HttpEdgeGuard(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
                         MemorySize maxBodySize) {
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
        // The router refuses a path it cannot decode before any route runs; answer that too.
        router.errorHandler(400, ctx -> {
            if (!refusedEscape(ctx)) {
                answer(ctx, ErrorCode.BAD_REQUEST, "The request cannot be read", false);
            }
        });
    }

    void check(RoutingContext ctx) {
        if (refusedEscape(ctx)) {
            return;
        }
        HttpServerRequest request = ctx.request();
        String declared = request.getHeader("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                answer(ctx, ErrorCode.BAD_REQUEST, "Content-Length must be a number of bytes", true);
                return;
            }
            if (length > maxBodyBytes) {
                answer(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "The request body (Content-Length " + length
                        + ") is larger than the limit of " + maxBodyBytes + " bytes", true);
                return;
            }
        }
        ctx.next();
    }

    /** Answers 400 when the URI is not a valid URI or holds a malformed percent-escape; whether it did. */
    private static boolean refusedEscape(RoutingContext ctx) {
        String uri = ctx.request().uri();
        if (!validUri(uri)) {
            answer(ctx, ErrorCode.BAD_REQUEST, "The request URI is not a valid URI (characters such as spaces, '\\', '|',"
                    + " '{' or '^' must be percent-encoded)", false);
            return true;
        }
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        int bad = malformedEscape(path);
        if (bad >= 0) {
            answer(ctx, ErrorCode.BAD_REQUEST, "The request path has a malformed percent-escape at character "
                    + (bad + 1) + ": '%' must be followed by two hexadecimal digits", false);
            return true;
        }
        if (query >= 0) {
            String queryString = uri.substring(query + 1);
            int badQuery = malformedEscape(queryString);
            if (badQuery >= 0) {
                answer(ctx, ErrorCode.BAD_REQUEST, "The query string has a malformed percent-escape in parameter '"
                        + parameterAt(queryString, badQuery) + "': '%' must be followed by two hexadecimal digits",
                        false);
                return true;
            }
        }
        return false;
    }

    /** The check Quarkus makes before routing (turned off by QuantGateMain so that it can be answered here). */
    private static boolean validUri(String uri) {
        int bad = malformedEscape(uri);
        if (bad >= 0) {
            return true; // answered more precisely by the escape checks
        }
        try {
            new URI(uri);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The index of the first '%' not followed by two hex digits, or -1. */
    static int malformedEscape(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '%') {
                if (i + 2 >= s.length() || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String parameterAt(String query, int index) {
        int start = query.lastIndexOf('&', index) + 1;
        int end = query.indexOf('=', start);
        String name = end < 0 || end > index ? query.substring(start, Math.min(query.length(), index)) : query.substring(start, end);
        StringBuilder safe = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (safe.length() >= 40) {
                break;
            }
            safe.append(c >= 0x20 && c < 0x7f && c != '%' ? c : '?');
        }
        return safe.toString();
    }

    static void answer(RoutingContext ctx, ErrorCode code, String detail, boolean close) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return;
        }
        LOG.debugf("%s %s -> %d: %s", ctx.request().method(), ctx.request().path(), code.status(), detail);
        response.setStatusCode(code.status()).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (close) {
            // The unread body would otherwise be taken for the next request on this connection.
            response.putHeader("Connection", "close");
        }
        if (close) {
            response.endHandler(v -> ctx.request().connection().close());
        }
        response.end(Buffer.buffer(body(code, detail, ctx.request().path())));
    }

    static byte[] body(ErrorCode code, String detail, String instance) {
        try {
            return JSON.writeValueAsBytes(Problem.of(code, detail, instance));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
