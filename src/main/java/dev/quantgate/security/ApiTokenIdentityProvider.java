package dev.quantgate.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * Turns a bearer token into an identity: its name as principal, its roles (lookup by SHA-256). A
 * token known from memory is answered on the calling thread; only a database lookup is moved to a
 * worker thread.
 */
@ApplicationScoped
public class ApiTokenIdentityProvider implements IdentityProvider<ApiTokenAuthenticationRequest> {

    private final TokenAuthenticator authenticator;

    public ApiTokenIdentityProvider(TokenAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public Class<ApiTokenAuthenticationRequest> getRequestType() {
        return ApiTokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiTokenAuthenticationRequest request, AuthenticationRequestContext context) {
        Optional<TokenPrincipal> known = authenticator.known(request.secret());
        if (known.isPresent()) {
            return Uni.createFrom().item(identity(known.get()));
        }
        return context.runBlocking(() -> authenticator.authenticate(request.secret())
                .map(ApiTokenIdentityProvider::identity)
                .orElseThrow(() -> new AuthenticationFailedException("Unknown or revoked token")));
    }

    private static SecurityIdentity identity(TokenPrincipal principal) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(principal.name()))
                .addRoles(principal.roles())
                .addAttribute("quantgate.token-id", principal.tokenId())
                .build();
    }
}
