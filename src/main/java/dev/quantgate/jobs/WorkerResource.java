package dev.quantgate.jobs;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Roles;
import dev.quantgate.worker.LeaseLostException;
import dev.quantgate.worker.Progress;
import dev.quantgate.worker.WorkerInfo;
import dev.quantgate.worker.WorkerWire;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The worker REST API: {@link JobQueue} for workers in other processes, in {@link WorkerWire}'s JSON. */
@Path("/api/v1/worker")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Worker API")
public class WorkerResource {

    private final JobQueue queue;

    public WorkerResource(JobQueue queue) {
        this.queue = queue;
    }

    @POST
    @Path("/lease")
    @RolesAllowed({Roles.WORKER, Roles.ADMIN})
    @Operation(summary = "Lease the next job this worker can run: 200 with the assignment, 204 when none")
    public Response lease(String body) {
        WorkerInfo worker = read(body, WorkerInfo.class);
        if (!"cpu".equals(worker.kind()) && !"gpu".equals(worker.kind())) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "kind must be cpu or gpu, was '" + worker.kind() + "'");
        }
        return queue.lease(worker).map(a -> Response.ok(WorkerWire.write(a)).build())
                .orElseGet(() -> Response.noContent().build());
    }

    @POST
    @Path("/jobs/{id}/heartbeat")
    @RolesAllowed({Roles.WORKER, Roles.ADMIN})
    @Operation(summary = "Extend the job's lease and record its progress; 409 when the lease is lost")
    public String heartbeat(@PathParam("id") long id, String body) {
        WorkerWire.HeartbeatRequest request = read(body, WorkerWire.HeartbeatRequest.class);
        Progress progress;
        try {
            progress = request.progress();
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, e.getMessage());
        }
        try {
            return WorkerWire.write(new WorkerWire.HeartbeatResponse(queue.heartbeat(id, request.leaseToken(), progress)));
        } catch (LeaseLostException e) {
            throw leaseLost(e);
        }
    }

    @POST
    @Path("/jobs/{id}/report")
    @RolesAllowed({Roles.WORKER, Roles.ADMIN})
    @Operation(summary = "Report the job's outcome (a repeat is accepted and changes nothing); 409 when the lease is lost")
    public Response report(@PathParam("id") long id, String body) {
        WorkerWire.ReportRequest request = read(body, WorkerWire.ReportRequest.class);
        try {
            queue.report(id, request.leaseToken(), request.outcome());
        } catch (LeaseLostException e) {
            throw leaseLost(e);
        }
        return Response.noContent().build();
    }

    @POST
    @Path("/jobs/{id}/release")
    @RolesAllowed({Roles.WORKER, Roles.ADMIN})
    @Operation(summary = "Hand back a leased job that has not started: queued again at once, its attempt given back;"
            + " 409 when the lease is lost or the job has started")
    public Response release(@PathParam("id") long id, String body) {
        WorkerWire.ReleaseRequest request = read(body, WorkerWire.ReleaseRequest.class);
        try {
            queue.release(id, request.leaseToken());
        } catch (LeaseLostException e) {
            throw leaseLost(e);
        }
        return Response.noContent().build();
    }

    private static <T> T read(String body, Class<T> type) {
        try {
            return WorkerWire.read(body == null ? "" : body, type);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, e.getMessage());
        }
    }

    private static ApiException leaseLost(LeaseLostException e) {
        return new ApiException(ErrorCode.LEASE_LOST, e.getMessage());
    }
}
