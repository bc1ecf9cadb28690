package dev.quantgate.api;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Test-only endpoint that fails in ways no mapper expects. */
@Path("/test/problem-probe")
public class ProblemProbeResource {

    @GET
    @Path("/boom")
    @PermitAll
    public String boom() {
        throw new IllegalStateException("internal detail: connection string jdbc:secret");
    }
}
