package dev.quantgate.policy.service;

import dev.quantgate.audit.Audited;
import dev.quantgate.policy.service.dto.PolicyDetail;
import dev.quantgate.policy.service.dto.PolicyVersionText;
import dev.quantgate.policy.service.dto.PolicyVersionView;
import dev.quantgate.policy.service.dto.PolicyView;
import dev.quantgate.api.Page;
import dev.quantgate.api.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/policies")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Policies")
public class PolicyResource {

    static final String SCHEMA_MEDIA_TYPE = "application/schema+json";
    private static final String NAME = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
    private static final String SHA256 = "[0-9a-f]{64}";

    private final PolicyService policies;

    public PolicyResource(PolicyService policies) {
        this.policies = policies;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER})
    @Operation(summary = "Every policy file: name, file, status (active, refused, conflict), errors, version in force, selector")
    public Page<PolicyView> list() {
        return new Page<>(policies.list(), null);
    }

    @GET
    @Path("/schema")
    @Produces({SCHEMA_MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER})
    @Operation(summary = "The JSON Schema (draft 2020-12) policy files are validated against")
    public String schema() {
        return policies.schema();
    }

    @POST
    @Path("/reload")
    @RolesAllowed(Roles.ADMIN)
    @Audited(action = "policy.reload", subject = "policies")
    @Operation(summary = "Scan the policies folder now (it is also scanned periodically) and answer every status")
    public Page<PolicyView> reload() {
        return new Page<>(policies.rescan(), null);
    }

    @GET
    @Path("/{name}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER})
    @Operation(summary = "A policy: its status and the version in force, parsed")
    public PolicyDetail get(@PathParam("name") @Pattern(regexp = NAME) String name) {
        return policies.get(name);
    }

    @GET
    @Path("/{name}/versions")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER})
    @Operation(summary = "Every stored version of a policy, newest first, by SHA-256 of the file")
    public Page<PolicyVersionView> versions(@PathParam("name") @Pattern(regexp = NAME) String name) {
        return new Page<>(policies.versions(name), null);
    }

    @GET
    @Path("/{name}/versions/{sha256}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER})
    @Operation(summary = "One stored version: the file's text exactly as loaded, and the parsed document")
    public PolicyVersionText version(@PathParam("name") @Pattern(regexp = NAME) String name,
                                     @PathParam("sha256") @Pattern(regexp = SHA256) String sha256) {
        return policies.version(name, sha256);
    }
}
