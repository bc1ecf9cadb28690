package dev.quantgate.registry;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.registry.dto.AliasIntervalView;
import dev.quantgate.registry.dto.AliasView;
import dev.quantgate.registry.dto.ModelPage;
import dev.quantgate.registry.dto.ModelView;
import dev.quantgate.registry.dto.VersionView;
import dev.quantgate.api.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.time.format.DateTimeParseException;

@Path("/api/v1/registry/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Registry mirror")
public class RegistryResource {

    private final RegistryQueries queries;

    public RegistryResource(RegistryQueries queries) {
        this.queries = queries;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Registered models in the mirror, by name")
    @APIResponse(responseCode = "200", description = "A page of models",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ModelPage.class)))
    public String models(@QueryParam("after") String after, @QueryParam("limit") @Min(1) Integer limit) {
        return queries.models(after, Page.limit(limit));
    }

    @GET
    @Path("/{name}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "One registered model, with its aliases")
    public ModelView model(@PathParam("name") String name) {
        return queries.model(name);
    }

    @GET
    @Path("/{name}/versions")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Versions of a registered model, by version number")
    public Page<VersionView> versions(@PathParam("name") String name, @QueryParam("after") String after,
                                      @QueryParam("limit") @Min(1) Integer limit) {
        return queries.versions(name, after, Page.limit(limit));
    }

    @GET
    @Path("/{name}/versions/{version}")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "One model version: source, run, status, stage, tags, aliases")
    public VersionView version(@PathParam("name") String name, @PathParam("version") String version) {
        return queries.version(name, version);
    }

    @GET
    @Path("/{name}/aliases")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Aliases of a registered model and the versions they point at now")
    public Page<AliasView> aliases(@PathParam("name") String name, @QueryParam("after") String after,
                                   @QueryParam("limit") @Min(1) Integer limit) {
        return queries.aliases(name, after, Page.limit(limit));
    }

    @GET
    @Path("/{name}/aliases/{alias}/history")
    @RolesAllowed({Roles.ADMIN, Roles.ENGINEER, Roles.AUDITOR})
    @Operation(summary = "Which version held an alias from when to when, oldest first; with ?at=<instant>, only "
            + "the interval covering that instant (no items: the alias pointed at no version then)")
    public Page<AliasIntervalView> aliasHistory(@PathParam("name") String name, @PathParam("alias") String alias,
                               @QueryParam("at") String at, @QueryParam("after") String after,
                               @QueryParam("limit") @Min(1) Integer limit) {
        if (at != null && !at.isBlank()) {
            return queries.aliasAt(name, alias, parseInstant(at));
        }
        return queries.aliasHistory(name, alias, after, Page.limit(limit));
    }

    private static Instant parseInstant(String at) {
        try {
            return Instant.parse(at.trim());
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST,
                    "at must be an ISO-8601 instant such as 2026-11-26T12:00:00Z, was '" + at + "'");
        }
    }
}
