package dev.quantgate.gate;

import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.api.Roles;
import dev.quantgate.gate.dto.WaiverRequest;
import dev.quantgate.gate.dto.WaiverView;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;

@Path("/api/v1/waivers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Gate")
public class WaiverResource {

    private final WaiverService waivers;
    private final SecurityIdentity identity;

    public WaiverResource(WaiverService waivers, SecurityIdentity identity) {
        this.waivers = waivers;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER})
    @Operation(summary = "Waive one rule for one model version, for at most the policy's waivers.max_duration")
    public Response grant(@Valid @NotNull WaiverRequest request) {
        WaiverView created = waivers.grant(request, identity.getPrincipal().getName(), identity.getRoles());
        return Response.created(URI.create("/api/v1/waivers/" + created.id())).entity(created).build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "A model's waivers (of one version when given), oldest first")
    public Page<WaiverView> list(@QueryParam("model") String model, @QueryParam("version") String version) {
        return new Page<>(waivers.list(model, version), null);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER})
    @Operation(summary = "Revoke a waiver (admin or the policy's approver roles)")
    public WaiverView revoke(@PathParam("id") String id) {
        return waivers.revoke(GateParams.id(id, ErrorCode.WAIVER_NOT_FOUND, "waiver"), identity.getPrincipal().getName(),
                identity.getRoles());
    }
}
