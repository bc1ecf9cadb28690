package dev.quantgate.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer token presented in an {@code Authorization} header, to be checked against the token table. */
public final class ApiTokenAuthenticationRequest extends BaseAuthenticationRequest {

    private final String secret;

    public ApiTokenAuthenticationRequest(String secret) {
        this.secret = secret;
    }

    public String secret() {
        return secret;
    }
}
