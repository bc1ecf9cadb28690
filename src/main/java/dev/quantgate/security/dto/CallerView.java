package dev.quantgate.security.dto;

import java.util.List;

/** The caller as the server sees it: the token's name and roles. */
public record CallerView(String name, List<String> roles) {
}
