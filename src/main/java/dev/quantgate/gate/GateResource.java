package dev.quantgate.gate;

import dev.quantgate.api.Roles;
import dev.quantgate.gate.dto.DecisionView;
import dev.quantgate.gate.dto.EvaluateRequest;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/gate")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Gate")
public class GateResource {

    private final GateService gate;
    private final SecurityIdentity identity;

    public GateResource(GateService gate, SecurityIdentity identity) {
        this.gate = gate;
        this.identity = identity;
    }

    @POST
    @Path("/evaluate")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Dry run, not stored: a decision for a version and target under the policy in force or a policy text")
    public DecisionView evaluate(@Valid @NotNull EvaluateRequest request) {
        return gate.evaluate(request, identity.getPrincipal().getName());
    }
}
