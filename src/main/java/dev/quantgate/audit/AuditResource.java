package dev.quantgate.audit;

import dev.quantgate.api.Page;
import dev.quantgate.audit.dto.AuditEventView;
import dev.quantgate.audit.dto.VerificationReport;
import dev.quantgate.api.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit trail")
public class AuditResource {

    private final AuditTrailService trail;

    public AuditResource(AuditTrailService trail) {
        this.trail = trail;
    }

    @GET
    @Path("/events")
    @RolesAllowed({Roles.ADMIN, Roles.AUDITOR})
    @Operation(summary = "Audit events after a sequence number, oldest first")
    public Page<AuditEventView> events(@QueryParam("after") String after,
                                       @QueryParam("limit") @Min(1) Integer limit,
                                       @QueryParam("subject") String subjectPrefix,
                                       @QueryParam("action") String actionPrefix,
                                       @QueryParam("actor") String actor) {
        return trail.events(Page.longCursor(after), Page.limit(limit), subjectPrefix, actionPrefix, actor);
    }

    @GET
    @Path("/verify")
    @RolesAllowed({Roles.ADMIN, Roles.AUDITOR})
    @Operation(summary = "Walk the hash chain: events verified and the first broken sequence number")
    public VerificationReport verify() {
        return trail.verify();
    }
}
