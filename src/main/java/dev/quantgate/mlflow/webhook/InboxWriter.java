package dev.quantgate.mlflow.webhook;

import dev.quantgate.kernel.BackgroundLoop;
import dev.quantgate.kernel.Loops;
import dev.quantgate.logging.LogText;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Stores accepted deliveries in the inbox with group commit: deliveries arriving while a commit is
 * in flight are collected and stored together by the next one, in one INSERT and one durable
 * commit. Each delivery's future completes only after the commit that stored it, so the receiver
 * acknowledges nothing that a crash could lose; a delivery id already stored completes as
 * {@link Outcome#DUPLICATE} and is not stored again.
 *
 * <p>With several writer threads a delivery arriving while one commit is in flight starts its own
 * at once (PostgreSQL flushes concurrent commits together), so waiting for a commit costs one
 * flush, not two. Deliveries in flight at the same moment then may get ids in another order than
 * they commit in; their order was not defined by the sender either (an MLflow server sends from a
 * thread pool). A delivery acknowledged before another was sent always has the lower id.
 */
@Startup
@ApplicationScoped
public class InboxWriter {

    private static final Logger LOG = Logger.getLogger(InboxWriter.class);
    private static final int QUEUE_CAPACITY = 10_000;

    private static final String INSERT = "INSERT INTO webhook_delivery"
            + " (delivery_id, signed_at, entity, action, model_name, order_key, body, status)"
            + " SELECT d, s, e, a, m, o, b, 'pending'"
            + " FROM unnest(?::varchar[], ?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::text[])"
            + " AS t(d, s, e, a, m, o, b)"
            + " ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id";

    /** What became of a delivery handed to {@link #store}. */
    public enum Outcome { STORED, DUPLICATE }

    /** One inbox row to store. */
    public record Row(String deliveryId, Long signedAt, String entity, String action, String model, String orderKey,
                      String body) {
    }

    private record Item(Row row, CompletableFuture<Outcome> done) {
    }

    private final AgroalDataSource dataSource;
    private final InboxProcessor processor;
    private final int maxBatch;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final BackgroundLoop threads;

    public InboxWriter(AgroalDataSource dataSource, InboxProcessor processor, WebhookConfig config, Loops loops) {
        this.dataSource = dataSource;
        this.processor = processor;
        this.maxBatch = Math.max(1, config.inbox().writeBatch());
        // Each writer blocks on the queue itself, so the loop never waits between two runs.
        this.threads = loops.start("webhook-inbox-writer", config.inbox().writers(), Duration.ZERO, this::run);
    }

    /** Deliveries still queued when QuantGate stops are refused (MLflow retries them). */
    void stop(@Observes ShutdownEvent event) {
        threads.stop(Duration.ofSeconds(5)); // before draining, whatever order shutdown observers run in
        List<Item> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(i -> i.done().completeExceptionally(new IllegalStateException("QuantGate is shutting down")));
    }

    /** Queues a delivery; the stage completes once it is durably stored (or found already stored). */
    public CompletionStage<Outcome> store(Row row) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        if (!threads.running() || !queue.offer(new Item(row, done))) {
            done.completeExceptionally(new IllegalStateException("The webhook inbox is not accepting deliveries now"));
        }
        return done;
    }

    /** One batch: waits up to 500 ms for a first delivery, then stores it with whatever else is queued. */
    private Duration run() throws InterruptedException {
        List<Item> batch = new ArrayList<>(maxBatch);
        Item first = queue.poll(500, TimeUnit.MILLISECONDS);
        if (first == null) {
            return Duration.ZERO;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        try {
            write(batch);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Storing webhook deliveries failed");
            batch.forEach(i -> i.done().completeExceptionally(e));
        }
        return Duration.ZERO;
    }

    private void write(List<Item> batch) {
        // The first of several items with one delivery id is stored; the others are its duplicates.
        List<Item> distinct = new ArrayList<>(batch.size());
        Set<String> seen = new HashSet<>();
        for (Item item : batch) {
            if (seen.add(item.row().deliveryId())) {
                distinct.add(item);
            }
        }
        Set<String> inserted = new HashSet<>();
        Set<String> refused = new HashSet<>();
        try {
            inserted.addAll(insert(distinct));
        } catch (SQLException e) {
            if (!isRowProblem(e)) {
                throw new IllegalStateException("Cannot store " + distinct.size() + " webhook deliveries: "
                        + e.getMessage(), e);
            }
            // A row the checks before batching missed fails the statement: store row by row, so
            // only that row is refused and its neighbours are stored.
            LOG.warnf("A batch of %d webhook deliveries failed (%s); storing them one by one", distinct.size(),
                    e.getMessage());
            for (Item item : distinct) {
                try {
                    inserted.addAll(distinct.size() == 1 ? rethrow(e) : insert(List.of(item)));
                } catch (SQLException rowFailure) {
                    if (!isRowProblem(rowFailure)) {
                        throw new IllegalStateException("Cannot store webhook delivery: " + rowFailure.getMessage(),
                                rowFailure);
                    }
                    refuse(item, rowFailure);
                    refused.add(item.row().deliveryId());
                }
            }
        }
        if (!inserted.isEmpty()) {
            processor.wake();
        }
        for (Item item : batch) {
            if (refused.contains(item.row().deliveryId())) {
                if (!item.done().isDone()) {
                    item.done().completeExceptionally(new UnstorableRowException(
                            "The delivery cannot be stored as it is (a field does not fit its column)"));
                }
                continue;
            }
            // remove(): only the first item of an id stored in this batch counts as stored
            item.done().complete(inserted.remove(item.row().deliveryId()) ? Outcome.STORED : Outcome.DUPLICATE);
        }
    }

    /** One statement, one transaction (outside JTA the connection auto-commits); answers the ids it stored. */
    private Set<String> insert(List<Item> items) throws SQLException {
        int n = items.size();
        String[] ids = new String[n];
        Long[] signedAt = new Long[n];
        String[] entities = new String[n];
        String[] actions = new String[n];
        String[] models = new String[n];
        String[] orderKeys = new String[n];
        String[] bodies = new String[n];
        for (int i = 0; i < n; i++) {
            Row r = items.get(i).row();
            ids[i] = r.deliveryId();
            signedAt[i] = r.signedAt();
            entities[i] = r.entity();
            actions[i] = r.action();
            models[i] = r.model();
            orderKeys[i] = r.orderKey();
            bodies[i] = r.body();
        }
        Set<String> inserted = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(INSERT)) {
            insert.setArray(1, c.createArrayOf("varchar", ids));
            insert.setArray(2, c.createArrayOf("bigint", signedAt));
            insert.setArray(3, c.createArrayOf("varchar", entities));
            insert.setArray(4, c.createArrayOf("varchar", actions));
            insert.setArray(5, c.createArrayOf("varchar", models));
            insert.setArray(6, c.createArrayOf("varchar", orderKeys));
            insert.setArray(7, c.createArrayOf("text", bodies));
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        }
        return inserted;
    }

    private static Set<String> rethrow(SQLException e) throws SQLException {
        throw e;
    }

    /** SQLSTATE class 22 (data exception: too long, NUL, bad encoding) or 23 (integrity): this row's fault. */
    private static boolean isRowProblem(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private static void refuse(Item item, SQLException e) {
        LOG.warnf("Webhook delivery %s cannot be stored: %s", LogText.escape(item.row().deliveryId()),
                LogText.escape(e.getMessage()));
        item.done().completeExceptionally(new UnstorableRowException(
                "The delivery cannot be stored as it is (a field does not fit its column)"));
    }

    /** A delivery PostgreSQL refused for its own content: answered 400 and recorded as rejected, never 503. */
    public static final class UnstorableRowException extends RuntimeException {
        UnstorableRowException(String message) {
            super(message);
        }
    }
}
