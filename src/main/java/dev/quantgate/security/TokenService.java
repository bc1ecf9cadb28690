package dev.quantgate.security;

import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.security.dto.CreateTokenRequest;
import dev.quantgate.security.dto.CreatedToken;
import dev.quantgate.security.dto.TokenView;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** Creates, lists and revokes API tokens. The secret exists only in the answer to {@link #create}. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class TokenService {

    private final TokenAuthenticator authenticator;
    private final TransactionSynchronizationRegistry transactions;

    public TokenService(TokenAuthenticator authenticator, TransactionSynchronizationRegistry transactions) {
        this.authenticator = authenticator;
        this.transactions = transactions;
    }

    public CreatedToken create(CreateTokenRequest request, String createdBy) {
        if (TokenAuthenticator.BOOTSTRAP_ADMIN.equals(request.name()) || ApiTokenEntity.liveNameExists(request.name())) {
            throw new ApiException(ErrorCode.TOKEN_NAME_TAKEN,
                    "A live token is already named '" + request.name() + "'; revoke it or choose another name");
        }
        String secret = TokenHashing.newSecret();
        ApiTokenEntity token = new ApiTokenEntity();
        token.id = UUID.randomUUID();
        token.name = request.name();
        token.setRoleSet(request.roles());
        token.tokenHash = TokenHashing.sha256Hex(secret);
        token.prefix = TokenHashing.displayPrefix(secret);
        token.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        token.createdBy = createdBy;
        token.persistAndFlush();
        authenticator.forget(token.tokenHash);
        return new CreatedToken(token.id, token.name, List.copyOf(token.roleSet()), token.prefix, token.createdAt, secret);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<TokenView> list(String after, int limit, boolean includeRevoked) {
        UUID cursor = parseCursor(after);
        String query = (cursor == null ? "1 = 1" : "id > :after") + (includeRevoked ? "" : " and revokedAt is null");
        Parameters params = cursor == null ? new Parameters() : Parameters.with("after", cursor);
        List<TokenView> rows = ApiTokenEntity.<ApiTokenEntity>find(query, Sort.by("id"), params)
                .page(0, limit + 1).list().stream()
                .map(TokenService::view)
                .toList();
        return Page.of(rows, limit, t -> t.id().toString());
    }

    /** Revokes a token; revoking a revoked token changes nothing and answers it as it is. */
    public TokenView revoke(UUID id, String revokedBy) {
        ApiTokenEntity token = ApiTokenEntity.<ApiTokenEntity>findByIdOptional(id)
                .orElseThrow(() -> new ApiException(ErrorCode.TOKEN_NOT_FOUND, "No API token has id " + id));
        if (!token.isRevoked()) {
            token.revokedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            token.revokedBy = revokedBy;
            String hash = token.tokenHash;
            authenticator.forget(hash);
            // Forget again after commit, in case a concurrent request re-cached the still-live row.
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        authenticator.forget(hash);
                    }
                }
            });
        }
        return view(token);
    }

    private static TokenView view(ApiTokenEntity t) {
        return new TokenView(t.id, t.name, List.copyOf(t.roleSet()), t.prefix, t.createdAt, t.createdBy,
                t.revokedAt, t.revokedBy);
    }

    private static UUID parseCursor(String after) {
        if (after == null || after.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(after.trim());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_CURSOR,
                    "after must be a cursor returned as 'next' by an earlier page, was '" + after + "'");
        }
    }
}
