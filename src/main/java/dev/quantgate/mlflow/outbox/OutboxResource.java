package dev.quantgate.mlflow.outbox;

import dev.quantgate.api.Page;
import dev.quantgate.audit.Audited;
import dev.quantgate.mlflow.outbox.dto.OutboxItemView;
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

@Path("/api/v1/admin/mlflow/outbox")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "MLflow outbox")
public class OutboxResource {

    private final MlflowOutbox outbox;
    public OutboxResource(MlflowOutbox outbox) {
        this.outbox = outbox;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.AUDITOR})
    @Operation(summary = "Writes to MLflow: pending (with attempts and last error), sent, parked")
    public Page<OutboxItemView> list(@QueryParam("status") String status, @QueryParam("after") String after,
                                     @QueryParam("limit") @Min(1) Integer limit) {
        return outbox.list(status, after, Page.limit(limit));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.AUDITOR})
    @Operation(summary = "One write to MLflow")
    public OutboxItemView get(@PathParam("id") long id) {
        return outbox.get(id);
    }

    @POST
    @Path("/{id}/retry")
    @RolesAllowed(Roles.ADMIN)
    @Audited(action = "mlflow.outbox.retry", subject = "mlflow-outbox:{id}")
    @Operation(summary = "Send a parked write again")
    public OutboxItemView retry(@PathParam("id") long id) {
        return outbox.retry(id);
    }
}
