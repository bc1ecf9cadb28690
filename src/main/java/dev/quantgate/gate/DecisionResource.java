package dev.quantgate.gate;

import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.api.Roles;
import dev.quantgate.gate.dto.DecisionView;
import dev.quantgate.gate.dto.ReplayResult;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/decisions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Gate")
public class DecisionResource {

    private final GateService gate;
    private final SecurityIdentity identity;

    public DecisionResource(GateService gate, SecurityIdentity identity) {
        this.gate = gate;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Gate decisions, newest first, keyset-paged; filter by model, target (alias:x, stage:y), outcome, time")
    public Page<DecisionView> list(@QueryParam("model") String model, @QueryParam("target") String target,
                                   @QueryParam("outcome") String outcome, @QueryParam("from") String from,
                                   @QueryParam("to") String to, @QueryParam("after") String after,
                                   @QueryParam("limit") @Min(1) Integer limit) {
        return gate.list(new DecisionStore.DecisionFilter(model, target, outcome, GateParams.instant(from, "from"),
                GateParams.instant(to, "to")), after, Page.limit(limit));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "One decision: policy version, evidence, approvals, waivers, per-rule results, outcome")
    public DecisionView get(@PathParam("id") String id) {
        return gate.get(GateParams.id(id, ErrorCode.DECISION_NOT_FOUND, "decision"));
    }

    @POST
    @Path("/{id}/replay")
    @RolesAllowed({Roles.ADMIN, Roles.AUDITOR})
    @Operation(summary = "Recompute a decision from its stored policy text and evidence; it must match byte for byte")
    public ReplayResult replay(@PathParam("id") String id) {
        return gate.replay(GateParams.id(id, ErrorCode.DECISION_NOT_FOUND, "decision"), identity.getPrincipal().getName());
    }
}
