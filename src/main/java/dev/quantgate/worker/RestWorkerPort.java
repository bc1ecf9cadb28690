package dev.quantgate.worker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link WorkerPort} of a worker in its own process: the server's worker REST API over HTTP/1.1 with the
 * worker's bearer token, in the wire form of {@link WorkerWire}. A 409 is a lost lease; no answer, a timeout or any
 * other status is a {@link WorkerPortException}, which the worker loop backs off from.
 */
public final class RestWorkerPort implements WorkerPort {

    private final String server;
    private final String authorization;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * @param server         the server's base URL, e.g. {@code http://quantgate:8080}
     * @param workerToken    an API token with the {@code worker} role
     * @param connectTimeout how long to wait for a connection
     * @param requestTimeout how long to wait for each answer
     */
    public RestWorkerPort(URI server, String workerToken, Duration connectTimeout, Duration requestTimeout) {
        this(server, workerToken, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build(), requestTimeout);
    }

    public RestWorkerPort(URI server, String workerToken, HttpClient http, Duration requestTimeout) {
        String base = Objects.requireNonNull(server, "server").toString();
        this.server = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.authorization = "Bearer " + Objects.requireNonNull(workerToken, "workerToken");
        this.http = Objects.requireNonNull(http, "http");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    @Override
    public Optional<JobAssignment> lease(WorkerInfo worker) {
        HttpResponse<String> r = post(WorkerWire.LEASE_PATH, WorkerWire.write(worker));
        if (r.statusCode() == 204) {
            return Optional.empty();
        }
        if (r.statusCode() == 200) {
            return Optional.of(parse(r, JobAssignment.class));
        }
        throw unexpected("lease", r);
    }

    @Override
    public Instant heartbeat(long jobId, String leaseToken, Progress progress) throws LeaseLostException {
        HttpResponse<String> r = post(jobPath(jobId, WorkerWire.HEARTBEAT_SUFFIX),
                WorkerWire.write(WorkerWire.HeartbeatRequest.of(leaseToken, progress)));
        if (r.statusCode() == 409) {
            throw new LeaseLostException(jobId);
        }
        if (r.statusCode() == 200) {
            return parse(r, WorkerWire.HeartbeatResponse.class).leaseUntil();
        }
        throw unexpected("heartbeat for job " + jobId, r);
    }

    @Override
    public void report(long jobId, String leaseToken, JobOutcome outcome) throws LeaseLostException {
        HttpResponse<String> r = post(jobPath(jobId, WorkerWire.REPORT_SUFFIX),
                WorkerWire.write(new WorkerWire.ReportRequest(leaseToken, outcome)));
        if (r.statusCode() == 409) {
            throw new LeaseLostException(jobId);
        }
        if (r.statusCode() != 204 && r.statusCode() != 200) {
            throw unexpected("report for job " + jobId, r);
        }
    }

    @Override
    public void release(long jobId, String leaseToken) throws LeaseLostException {
        HttpResponse<String> r = post(jobPath(jobId, WorkerWire.RELEASE_SUFFIX),
                WorkerWire.write(new WorkerWire.ReleaseRequest(leaseToken)));
        if (r.statusCode() == 409) {
            throw new LeaseLostException(jobId);
        }
        if (r.statusCode() != 204 && r.statusCode() != 200) {
            throw unexpected("release of job " + jobId, r);
        }
    }

    private static String jobPath(long jobId, String suffix) {
        return WorkerWire.JOBS_PATH + jobId + suffix;
    }

    private HttpResponse<String> post(String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server + path)).timeout(requestTimeout)
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new WorkerPortException("the server at " + server + " cannot be reached (" + path + "): " + e, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerPortException("interrupted while calling " + server + path, 0, e);
        }
    }

    private <T> T parse(HttpResponse<String> r, Class<T> type) {
        try {
            return WorkerWire.read(r.body(), type);
        } catch (IllegalArgumentException e) {
            throw new WorkerPortException("the server's answer to " + r.request().uri().getPath() + " is not a "
                    + type.getSimpleName() + ": " + e.getMessage(), r.statusCode(), e);
        }
    }

    private static WorkerPortException unexpected(String what, HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body();
        return new WorkerPortException(what + ": the server answered " + r.statusCode()
                + (body.isBlank() ? "" : " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body)),
                r.statusCode(), null);
    }
}
