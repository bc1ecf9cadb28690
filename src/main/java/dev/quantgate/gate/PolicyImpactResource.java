package dev.quantgate.gate;

import dev.quantgate.api.Page;
import dev.quantgate.api.Roles;
import dev.quantgate.gate.dto.ImpactItem;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/policies/{name}/impact")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Gate")
public class PolicyImpactResource {

    private final PolicyImpact impact;

    public PolicyImpactResource(PolicyImpact impact) {
        this.impact = impact;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Current holders of the policy's protected aliases that the policy in force would no longer allow")
    public Page<ImpactItem> impact(@PathParam("name") @Pattern(regexp = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?") String name) {
        return new Page<>(impact.impact(name), null);
    }
}
