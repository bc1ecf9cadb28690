package dev.quantgate.security;

import java.util.Set;

/** Who a valid token stands for: its id ({@code bootstrap} for the configured admin token), name and roles. */
public record TokenPrincipal(String tokenId, String name, Set<String> roles) {

    public TokenPrincipal {
        roles = Set.copyOf(roles);
    }
}
