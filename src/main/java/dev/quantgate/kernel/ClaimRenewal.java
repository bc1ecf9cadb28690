package dev.quantgate.kernel;

import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this process's claims on a queue table alive while their work runs, so that a claim can be short: a claim
 * left by a crash then expires within one {@link #length()} instead of outliving the longest the work could take.
 * Every third of the length, one statement moves {@code claimed_until} of every held row still carrying its token to
 * now plus the length. A row whose claim was taken over (another token) is left alone, and its late outcome is
 * refused as before, by the token.
 */
public final class ClaimRenewal implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClaimRenewal.class);

    /** A claim being kept alive; closing it stops that. */
    @FunctionalInterface
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private final DataSource dataSource;
    private final String table;
    private final String sql;
    private final Clock clock;
    private final Duration length;
    private final Map<Long, String> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    /**
     * @param table  a queue table with {@code id bigint}, {@code claim_token text} and {@code claimed_until} columns
     * @param length how long a claim lasts from each renewal; renewed every third of it
     */
    public ClaimRenewal(String name, DataSource dataSource, String table, Clock clock, Duration length) {
        if (length.toMillis() < 3) {
            throw new IllegalArgumentException("a claim must last at least 3 ms, not " + length);
        }
        this.dataSource = dataSource;
        this.table = table;
        this.clock = clock;
        this.length = length;
        this.sql = "UPDATE " + table + " t SET claimed_until = ? FROM unnest(?::bigint[], ?::text[]) AS h(id, token)"
                + " WHERE t.id = h.id AND t.claim_token = h.token";
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-claim-renewal");
            t.setDaemon(true);
            return t;
        });
        long every = length.toMillis() / 3;
        timer.scheduleWithFixedDelay(this::renewQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** How long a claim lasts: take claims of this length and hold them. */
    public Duration length() {
        return length;
    }

    /** Keeps the claim on row {@code id} with {@code token} alive until the answer is closed. */
    public Held hold(long id, String token) {
        held.put(id, token);
        return () -> held.remove(id, token);
    }

    /**
     * Renews every held claim now.
     *
     * @return the rows renewed (a row whose claim another took is not)
     */
    public int renew() throws SQLException {
        Map<Long, String> now = Map.copyOf(held);
        if (now.isEmpty()) {
            return 0;
        }
        Long[] ids = now.keySet().toArray(Long[]::new);
        String[] tokens = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = now.get(ids[i]);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(sql)) {
            Array idArray = c.createArrayOf("int8", ids);
            Array tokenArray = c.createArrayOf("text", tokens);
            update.setObject(1, Lease.utc(clock.instant().plus(length)));
            update.setArray(2, idArray);
            update.setArray(3, tokenArray);
            return update.executeUpdate();
        }
    }

    private void renewQuietly() {
        try {
            renew();
        } catch (SQLException | RuntimeException e) {
            // the claims may lapse: another process may then take the rows over, and the token refuses the late outcome
            LOG.warnf("Cannot renew the claims held on %s (they lapse in %s unless a later renewal succeeds): %s",
                    table, length, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
