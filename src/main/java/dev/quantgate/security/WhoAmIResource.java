package dev.quantgate.security;

import dev.quantgate.api.Roles;
import dev.quantgate.security.dto.CallerView;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;


@Path("/api/v1/auth/whoami")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token: Authorization: Bearer <token>")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "API tokens")
public class WhoAmIResource {

    private final SecurityIdentity identity;

    public WhoAmIResource(SecurityIdentity identity) {
        this.identity = identity;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR, Roles.WORKER})
    @Operation(summary = "The token's name and roles")
    public CallerView whoami() {
        return new CallerView(identity.getPrincipal().getName(), identity.getRoles().stream().sorted().toList());
    }
}
