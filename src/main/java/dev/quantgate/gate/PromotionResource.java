package dev.quantgate.gate;

import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.api.Roles;
import dev.quantgate.gate.dto.ApprovalRequest;
import dev.quantgate.gate.dto.PromotionRequest;
import dev.quantgate.gate.dto.PromotionView;
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
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;

@Path("/api/v1/promotions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Gate")
public class PromotionResource {

    private final PromotionService promotions;
    private final SecurityIdentity identity;

    public PromotionResource(PromotionService promotions, SecurityIdentity identity) {
        this.promotions = promotions;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER})
    @Operation(summary = "Request a promotion to an alias or stage: decided at once; allowed ones are written to MLflow")
    public Response request(@Valid @NotNull PromotionRequest request) {
        PromotionView created = promotions.request(request, identity.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/promotions/" + created.id())).entity(created).build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Promotion requests, oldest first, keyset-paged; filter by state")
    public Page<PromotionView> list(@QueryParam("state") String state, @QueryParam("after") String after,
                                    @QueryParam("limit") @Min(1) Integer limit) {
        return promotions.list(state, after, Page.limit(limit));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "One promotion request: state, latest decision, approvals")
    public PromotionView get(@PathParam("id") String id) {
        return promotions.get(GateParams.id(id, ErrorCode.PROMOTION_NOT_FOUND, "promotion request"));
    }

    @POST
    @Path("/{id}/approvals")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER})
    @Operation(summary = "Approve or reject a waiting request (the policy's approver roles only)")
    public PromotionView approve(@PathParam("id") String id, @Valid @NotNull ApprovalRequest request) {
        return promotions.approve(GateParams.id(id, ErrorCode.PROMOTION_NOT_FOUND, "promotion request"), request,
                identity.getPrincipal().getName(), identity.getRoles());
    }
}
