package dev.quantgate.mlflow.webhook;

import dev.quantgate.api.Page;
import dev.quantgate.audit.Audited;
import dev.quantgate.mlflow.webhook.dto.DeliveryView;
import dev.quantgate.api.Roles;
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

@Path("/api/v1/mlflow/deliveries")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "MLflow deliveries")
public class DeliveryResource {

    private final DeliveryService deliveries;

    public DeliveryResource(DeliveryService deliveries) {
        this.deliveries = deliveries;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Webhook deliveries in arrival order, optionally with one status (e.g. parked)")
    public Page<DeliveryView> list(@QueryParam("status") String status,
                                   @QueryParam("after") String after,
                                   @QueryParam("limit") @Min(1) Integer limit) {
        return deliveries.list(status, after, Page.limit(limit));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "One delivery, with its body, processing status and last error")
    public DeliveryView get(@PathParam("id") String id) {
        return deliveries.get(id);
    }

    @POST
    @Path("/{id}/retry")
    @RolesAllowed(Roles.ADMIN)
    @Audited(action = "mlflow.delivery.retry", subject = "delivery:{id}")
    @Operation(summary = "Put a parked delivery back in line for processing")
    public DeliveryView retry(@PathParam("id") String id) {
        return deliveries.retry(id);
    }
}
