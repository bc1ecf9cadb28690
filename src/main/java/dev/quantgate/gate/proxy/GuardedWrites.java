package dev.quantgate.gate.proxy;

import dev.quantgate.kernel.Failures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Pre-write enforcement: a call that would set an alias, transition a stage or rename a model is read (bounded),
 * decided by the {@link ProxyGate} on a worker thread, and then either forwarded with its original bytes or answered
 * with MLflow's error (403 {@code PERMISSION_DENIED}, 400 {@code INVALID_PARAMETER_VALUE}) without reaching MLflow.
 * Every other call streams straight on.
 */
final class GuardedWrites implements ProxyInterceptor {

    private final Vertx vertx;
    private final ProxyGate gate;
    private final int maxBodyBytes;

    GuardedWrites(Vertx vertx, ProxyGate gate, int maxBodyBytes) {
        this.vertx = vertx;
        this.gate = gate;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        ProxyRequest request = context.request();
        Optional<GuardedCall.Kind> kind = GuardedCall.match(request.getMethod().name(), request.proxiedRequest().path());
        if (kind.isEmpty()) {
            return context.sendRequest();
        }
        String requester = requester(request.proxiedRequest().getHeader("Authorization"));
        return read(request.getBody().stream()).compose(bytes -> {
            Callable<ProxyGate.Verdict> judging;
            String what;
            try {
                if (kind.get() == GuardedCall.Kind.RENAME) {
                    GuardedCall.Rename rename = GuardedCall.parseRename(bytes.getBytes());
                    judging = () -> gate.judgeRename(rename, requester);
                    what = ProxyGate.describe(rename);
                } else {
                    GuardedCall call = GuardedCall.parse(kind.get(), bytes.getBytes());
                    judging = () -> gate.judge(call, requester);
                    what = ProxyGate.describe(call);
                }
            } catch (GuardedCall.BadCall e) {
                return answer(context, 400, MlflowErrorBody.of(MlflowErrorBody.INVALID_PARAMETER_VALUE, e.getMessage()));
            }
            return vertx.executeBlocking(judging, false)
                    .otherwise(failure -> ProxyGate.Verdict.refuse(403, MlflowErrorBody.PERMISSION_DENIED,
                            "QuantGate could not decide " + what + ", so the call is refused (the gate"
                                    + " fails closed): " + failure.getClass().getSimpleName()))
                    .compose(verdict -> {
                        if (!verdict.forward()) {
                            return answer(context, verdict.status(), verdict.body());
                        }
                        request.setBody(Body.body(bytes));
                        return context.sendRequest();
                    });
        }, failure -> failure instanceof TooLarge
                ? answer(context, 400, MlflowErrorBody.of(MlflowErrorBody.INVALID_PARAMETER_VALUE,
                        "The request body is larger than the " + maxBodyBytes + " bytes QuantGate reads to decide it"))
                : Future.failedFuture(failure));
    }

    /** The body, whole, or {@link TooLarge} as soon as it passes the bound (the rest is drained and dropped). */
    private Future<Buffer> read(ReadStream<Buffer> stream) {
        Promise<Buffer> done = Promise.promise();
        Buffer body = Buffer.buffer();
        stream.exceptionHandler(done::tryFail);
        stream.handler(chunk -> {
            if (done.future().isComplete()) {
                return;
            }
            if (body.length() + chunk.length() > maxBodyBytes) {
                done.tryFail(new TooLarge());
            } else {
                body.appendBuffer(chunk);
            }
        });
        stream.endHandler(v -> done.tryComplete(body));
        stream.resume();
        return done.future();
    }

    private static Future<ProxyResponse> answer(ProxyContext context, int status, String body) {
        return Future.succeededFuture(context.request().response().setStatusCode(status)
                .putHeader("Content-Type", "application/json").setBody(Body.body(Buffer.buffer(body))));
    }

    /** The Basic-auth user name (as MLflow's basic-auth app reads it), else {@value ProxyGate#ACTOR}. */
    static String requester(String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                String user = decoded.substring(0, Math.max(0, decoded.indexOf(':')));
                if (!user.isBlank()) {
                    String safe = Failures.escape(user);
                    return safe.length() <= 200 ? safe : safe.substring(0, 200);
                }
            } catch (IllegalArgumentException e) {
                return ProxyGate.ACTOR;
            }
        }
        return ProxyGate.ACTOR;
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("request body over the bound", null, false, false);
        }
    }
}
