package dev.quantgate.security;

import dev.quantgate.api.Roles;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.regex.Pattern;

/**
 * Checks a presented secret: the bootstrap admin token from configuration, or a live token in
 * the database found by its SHA-256. A secret that does not have the shape QuantGate issues
 * ({@code qg_} and 43 base64url characters) is refused without a lookup; valid tokens and unknown
 * well-formed ones are cached briefly (bounded, keyed by the hash), so a flood of garbage tokens
 * costs at most one database lookup per distinct token per {@code token-cache-ttl}.
 * {@link #forget} drops a hash from both caches at once (revocation, creation).
 */
@ApplicationScoped
public class TokenAuthenticator {

    /** Principal name of the bootstrap admin token. */
    public static final String BOOTSTRAP_ADMIN = "bootstrap-admin";
    private static final int MAX_CACHED = 10_000;
    private static final int MIN_BOOTSTRAP_LENGTH = 24;
    private static final Logger LOG = Logger.getLogger(TokenAuthenticator.class);

    private static final Pattern ISSUED_SHAPE = Pattern.compile(
            Pattern.quote(TokenHashing.SECRET_PREFIX) + "[A-Za-z0-9_-]{43}");

    private final SecurityConfig config;
    private final byte[] adminHash;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Long> unknown = new ConcurrentHashMap<>();
    private final Counter lookups;

    private record Cached(TokenPrincipal principal, long expiresAtNanos) {
    }

    public TokenAuthenticator(SecurityConfig config, MeterRegistry meters) {
        this.config = config;
        this.adminHash = config.adminToken().filter(t -> !t.isBlank())
                .map(t -> TokenHashing.sha256Hex(t).getBytes(StandardCharsets.US_ASCII)).orElse(null);
        this.lookups = Counter.builder("quantgate.security.token.lookups")
                .description("API token lookups that reached the database")
                .register(meters);
    }

    void warnAboutWeakBootstrapToken(@Observes StartupEvent event) {
        config.adminToken().filter(t -> !t.isBlank() && t.length() < MIN_BOOTSTRAP_LENGTH).ifPresent(t ->
                LOG.warnf("QUANTGATE_ADMIN_TOKEN is shorter than %d characters; use a long random value "
                        + "outside a laptop, and create real tokens with it", MIN_BOOTSTRAP_LENGTH));
    }

    /**
     * The principal of a secret known without asking the database: the bootstrap admin token, or a
     * token found within {@code token-cache-ttl}. Empty means only {@link #authenticate} can tell
     * (it may still refuse without a lookup). No transaction, so the common case costs one hash.
     */
    public Optional<TokenPrincipal> known(String secret) {
        if (secret == null || secret.isBlank()) {
            return Optional.empty();
        }
        String hash = TokenHashing.sha256Hex(secret);
        if (isBootstrap(hash)) {
            return Optional.of(bootstrapPrincipal());
        }
        Cached cached = cache.get(hash);
        return cached != null && System.nanoTime() - cached.expiresAtNanos() < 0
                ? Optional.of(cached.principal()) : Optional.empty();
    }

    @Transactional(Transactional.TxType.REQUIRED)
    public Optional<TokenPrincipal> authenticate(String secret) {
        if (secret == null || secret.isBlank()) {
            return Optional.empty();
        }
        String hash = TokenHashing.sha256Hex(secret);
        if (isBootstrap(hash)) {
            return Optional.of(bootstrapPrincipal());
        }
        if (!ISSUED_SHAPE.matcher(secret).matches()) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        Cached cached = cache.get(hash);
        if (cached != null && now - cached.expiresAtNanos() < 0) {
            return Optional.of(cached.principal());
        }
        Long unknownUntil = unknown.get(hash);
        if (unknownUntil != null && now - unknownUntil < 0) {
            return Optional.empty();
        }
        lookups.increment();
        Optional<TokenPrincipal> found = ApiTokenEntity.findByHash(hash)
                .filter(t -> !t.isRevoked())
                .map(t -> new TokenPrincipal(t.id.toString(), t.name, t.roleSet()));
        long expires = now + config.tokenCacheTtl().toNanos();
        if (found.isPresent()) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(hash, new Cached(found.get(), expires));
            unknown.remove(hash);
        } else {
            cache.remove(hash);
            if (unknown.size() >= MAX_CACHED) {
                unknown.clear();
            }
            unknown.put(hash, expires);
        }
        return found;
    }

    private boolean isBootstrap(String hash) {
        return adminHash != null && MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII), adminHash);
    }

    private static TokenPrincipal bootstrapPrincipal() {
        return new TokenPrincipal("bootstrap", BOOTSTRAP_ADMIN, Set.of(Roles.ADMIN));
    }

    /**
     * Drops a token hash from both caches: a revoked token stops authenticating on the next
     * request, a newly created one authenticates at once even if its hash was looked up before.
     */
    public void forget(String tokenHash) {
        cache.remove(tokenHash);
        unknown.remove(tokenHash);
    }
}
