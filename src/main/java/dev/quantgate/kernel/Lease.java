package dev.quantgate.kernel;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * A claim on a queued row, taken on the application's clock: a fresh token, the time it was taken
 * and the time it expires. Queues claim in a short committed transaction, work with no transaction
 * open, and record the outcome only where the row still carries the token; a claim left by a crash
 * simply expires.
 *
 * @param token identifies this claim
 * @param now   when it was taken
 * @param until when it expires
 */
public record Lease(String token, Instant now, Instant until) {

    /** A new claim lasting {@code length} from the clock's now. */
    public static Lease take(Clock clock, Duration length) {
        Instant now = clock.instant();
        return new Lease(UUID.randomUUID().toString(), now, now.plus(length));
    }

    /**
     * Binds the claim to a statement whose first four parameters are, in order: the token, the
     * expiry, and twice "now" (a row is due at or before now, and its earlier claim expired by now).
     */
    public void bindClaim(PreparedStatement claim) throws SQLException {
        claim.setString(1, token);
        claim.setObject(2, utc(until));
        claim.setObject(3, utc(now));
        claim.setObject(4, utc(now));
    }

    /** A timestamp parameter in UTC. */
    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
