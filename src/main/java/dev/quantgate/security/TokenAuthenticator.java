package dev.quantgate.security;

import dev.quantgate.api.Roles;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a presented secret: the bootstrap admin token from configuration, or a live token in
 * the database found by its SHA-256. Valid tokens are cached briefly; {@link #forget} drops one
 * at once (revocation).
 */
@ApplicationScoped
public class TokenAuthenticator {

    /** Principal name of the bootstrap admin token. */
    public static final String BOOTSTRAP_ADMIN = "bootstrap-admin";
    private static final int MAX_CACHED = 10_000;
    private static final int MIN_BOOTSTRAP_LENGTH = 24;
    private static final Logger LOG = Logger.getLogger(TokenAuthenticator.class);

    private final SecurityConfig config;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(TokenPrincipal principal, long expiresAtNanos) {
    }

    public TokenAuthenticator(SecurityConfig config) {
        this.config = config;
    }

    void warnAboutWeakBootstrapToken(@Observes StartupEvent event) {
        config.adminToken().filter(t -> !t.isBlank() && t.length() < MIN_BOOTSTRAP_LENGTH).ifPresent(t ->
                LOG.warnf("QUANTGATE_ADMIN_TOKEN is shorter than %d characters; use a long random value "
                        + "outside a laptop, and create real tokens with it", MIN_BOOTSTRAP_LENGTH));
    }

    @Transactional(Transactional.TxType.REQUIRED)
    public Optional<TokenPrincipal> authenticate(String secret) {
        if (secret == null || secret.isBlank()) {
            return Optional.empty();
        }
        String hash = TokenHashing.sha256Hex(secret);
        Optional<String> admin = config.adminToken().filter(t -> !t.isBlank());
        if (admin.isPresent() && MessageDigest.isEqual(
                hash.getBytes(StandardCharsets.US_ASCII),
                TokenHashing.sha256Hex(admin.get()).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(new TokenPrincipal("bootstrap", BOOTSTRAP_ADMIN, Set.of(Roles.ADMIN)));
        }
        long now = System.nanoTime();
        Cached cached = cache.get(hash);
        if (cached != null && now - cached.expiresAtNanos() < 0) {
            return Optional.of(cached.principal());
        }
        Optional<TokenPrincipal> found = ApiTokenEntity.findByHash(hash)
                .filter(t -> !t.isRevoked())
                .map(t -> new TokenPrincipal(t.id.toString(), t.name, t.roleSet()));
        if (found.isPresent()) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(hash, new Cached(found.get(), now + config.tokenCacheTtl().toNanos()));
        } else {
            cache.remove(hash);
        }
        return found;
    }

    /** Drops a token from the cache, so that its revocation takes effect on the next request. */
    public void forget(String tokenHash) {
        cache.remove(tokenHash);
    }
}
