package dev.quantgate.security;

import dev.quantgate.api.Roles;
import dev.quantgate.api.Page;
import dev.quantgate.audit.Audited;
import dev.quantgate.security.dto.CreateTokenRequest;
import dev.quantgate.security.dto.CreatedToken;
import dev.quantgate.security.dto.TokenView;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.UUID;

@Path("/api/v1/admin/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "API tokens")
public class TokenResource {

    private final TokenService tokens;
    private final SecurityIdentity identity;

    public TokenResource(TokenService tokens, SecurityIdentity identity) {
        this.tokens = tokens;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Audited(action = "token.create", subject = "token:{request.name}")
    @Operation(summary = "Create a token; its secret is in this answer and never again")
    public RestResponse<CreatedToken> create(@Valid @NotNull CreateTokenRequest request) {
        CreatedToken created = tokens.create(request, identity.getPrincipal().getName());
        return RestResponse.ResponseBuilder.<CreatedToken>created(URI.create("/api/v1/admin/tokens/" + created.id()))
                .entity(created).build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.AUDITOR})
    @Operation(summary = "List tokens (never their secrets)")
    public Page<TokenView> list(@QueryParam("after") String after,
                                @QueryParam("limit") @Min(1) Integer limit,
                                @QueryParam("includeRevoked") @DefaultValue("false") boolean includeRevoked) {
        return tokens.list(after, Page.limit(limit), includeRevoked);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    @Audited(action = "token.revoke", subject = "token:{id}")
    @Operation(summary = "Revoke a token; it stops authenticating at once")
    public TokenView revoke(@PathParam("id") UUID id) {
        return tokens.revoke(id, identity.getPrincipal().getName());
    }
}
