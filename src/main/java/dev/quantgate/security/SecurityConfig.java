package dev.quantgate.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** API token authentication ({@code quantgate.security.*}). */
@ConfigMapping(prefix = "quantgate.security")
public interface SecurityConfig {

    /**
     * A bootstrap token with the {@code admin} role, from {@code QUANTGATE_ADMIN_TOKEN}; use it to
     * create real tokens. Absent: only tokens already in the database authenticate.
     */
    Optional<String> adminToken();

    /**
     * How long a looked-up token stays cached in memory. Revocation through this process takes
     * effect at once; through another process sharing the database, within this time.
     */
    @WithDefault("10s")
    Duration tokenCacheTtl();
}
