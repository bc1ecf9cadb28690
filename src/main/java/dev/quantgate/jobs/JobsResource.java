package dev.quantgate.jobs;

import dev.quantgate.api.Page;
import dev.quantgate.api.Roles;
import dev.quantgate.audit.Audited;
import dev.quantgate.jobs.dto.JobSummary;
import dev.quantgate.jobs.dto.JobView;
import dev.quantgate.jobs.dto.PlanRequest;
import dev.quantgate.jobs.dto.PlanResult;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs")
public class JobsResource {

    private final JobsService jobs;
    private final SecurityIdentity identity;

    public JobsResource(JobsService jobs, SecurityIdentity identity) {
        this.jobs = jobs;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Quantization jobs, oldest first, keyset-paged; filter by state and model")
    public Page<JobSummary> list(@QueryParam("state") String state, @QueryParam("model") String model,
                                 @QueryParam("after") String after, @QueryParam("limit") @Min(1) Integer limit) {
        return jobs.list(state, model, after, Page.limit(limit));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "One job: state, stage, attempts, worker, what it waits for, errors, run, variant, evidence")
    public JobView get(@PathParam("id") long id) {
        return jobs.get(id);
    }

    @POST
    @Path("/plan")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER})
    @Audited(action = "job.plan", subject = "model:{request.model}/version:{request.version}")
    @Operation(summary = "Plan a mirrored model version by hand (the jobs a registration would plan, never twice)")
    public PlanResult plan(@Valid @NotNull PlanRequest request) {
        return jobs.plan(request, identity.getPrincipal().getName());
    }

    @POST
    @Path("/{id}/retry")
    @RolesAllowed(Roles.ADMIN)
    @Audited(action = "job.retry", subject = "job:{id}")
    @Operation(summary = "Put a failed or parked job back in the queue, its attempts reset")
    public JobView retry(@PathParam("id") long id) {
        return jobs.retry(id, identity.getPrincipal().getName());
    }
}
