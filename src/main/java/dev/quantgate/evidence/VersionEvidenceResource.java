package dev.quantgate.evidence;

import dev.quantgate.api.Page;
import dev.quantgate.api.Roles;
import dev.quantgate.evidence.dto.EvidenceSummary;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/registry/models/{name}/versions/{version}/evidence")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Evidence")
public class VersionEvidenceResource {

    private final EvidenceStore store;

    public VersionEvidenceResource(EvidenceStore store) {
        this.store = store;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "The evidence recorded for a source version's variants, newest first")
    public Page<EvidenceSummary> list(@PathParam("name") String name, @PathParam("version") @Min(1) int version,
                                      @QueryParam("after") String after, @QueryParam("limit") @Min(1) Integer limit) {
        return store.forVersion(name, version, after, Page.limit(limit));
    }
}
