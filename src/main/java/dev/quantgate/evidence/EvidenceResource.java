package dev.quantgate.evidence;

import dev.quantgate.api.Roles;
import dev.quantgate.evidence.dto.EvidenceSummary;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/evidence")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Evidence")
public class EvidenceResource {

    /** The header naming the SHA-256 of the body (which is the record's canonical JSON, byte for byte). */
    public static final String SHA256_HEADER = "X-Content-SHA256";

    private final EvidenceStore store;

    public EvidenceResource(EvidenceStore store) {
        this.store = store;
    }

    @GET
    @Path("/{sha256}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "One evidence record: its canonical JSON exactly as hashed, with links to its job and version")
    public Response get(@PathParam("sha256") String sha256) {
        StoredEvidence stored = store.get(sha256);
        EvidenceSummary s = stored.summary();
        return Response.ok(stored.canonicalJson(), MediaType.APPLICATION_JSON_TYPE)
                .tag(s.sha256())
                .header(SHA256_HEADER, s.sha256())
                .header("Link", "</api/v1/jobs/" + s.jobId() + ">; rel=\"job\", </api/v1/registry/models/"
                        + java.net.URLEncoder.encode(s.model(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
                        + "/versions/" + s.sourceVersion() + "/evidence>; rel=\"collection\"")
                .build();
    }
}
