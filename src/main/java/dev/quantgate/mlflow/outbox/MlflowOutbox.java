package dev.quantgate.mlflow.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.api.Page;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.kernel.AfterCommit;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.client.MlflowWriteJson;
import dev.quantgate.mlflow.outbox.dto.OutboxItemView;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The durable outbox of writes to MLflow. {@link #enqueue} stores a write in the caller's
 * transaction (it is sent only if that commits); the {@link OutboxDispatcher} sends it, retrying with
 * backoff while MLflow is unreachable, so an outage delays a write and never drops it.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class MlflowOutbox {

    private final AuditLog audit;
    private final ObjectMapper json;
    private final Clock clock;
    private final AfterCommit afterCommit;
    private final OutboxDispatcher dispatcher;

    public MlflowOutbox(AuditLog audit, ObjectMapper json, Clock clock, AfterCommit afterCommit,
                        OutboxDispatcher dispatcher) {
        this.audit = audit;
        this.json = json;
        this.clock = clock;
        this.afterCommit = afterCommit;
        this.dispatcher = dispatcher;
    }

    /**
     * Stores a write to be sent to MLflow after the caller's transaction commits.
     *
     * @param requestedBy who asked for it (a token name, {@code gate}, {@code system}); recorded and audited
     * @return the outbox item's id
     */
    public long enqueue(MlflowWrite write, String requestedBy) {
        Objects.requireNonNull(write, "write");
        MlflowOutboxEntity row = new MlflowOutboxEntity();
        row.modelName = write.model();
        row.description = write.describe();
        row.kind = write.kind();
        row.writeJson = MlflowWriteJson.write(write, json);
        if (write instanceof MlflowWrite.Call call) {
            row.httpMethod = call.method();
            row.path = call.path();
            try {
                row.body = json.writeValueAsString(call.body());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("Cannot serialise MLflow write " + write.describe(), e);
            }
        }
        row.status = MlflowOutboxEntity.PENDING;
        row.createdAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        row.nextAttemptAt = row.createdAt;
        row.createdBy = Objects.requireNonNull(requestedBy, "requestedBy");
        // one plain statement: the row is never changed in this transaction, so it need not be a managed entity
        row.id = ((Number) MlflowOutboxEntity.getEntityManager().createNativeQuery("INSERT INTO mlflow_outbox"
                        + " (model_name, description, kind, write_json, http_method, path, body, status, attempts,"
                        + " next_attempt_at, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?9, ?10)"
                        + " RETURNING id")
                .setParameter(1, row.modelName).setParameter(2, row.description).setParameter(3, row.kind)
                .setParameter(4, row.writeJson).setParameter(5, row.httpMethod).setParameter(6, row.path)
                .setParameter(7, row.body).setParameter(8, row.status).setParameter(9, row.createdAt)
                .setParameter(10, row.createdBy).getSingleResult()).longValue();
        audit.append(requestedBy, "mlflow.outbox.enqueued", subject(row), details(row));
        afterCommit.run(dispatcher::wake);
        return row.id;
    }

    /** Same as {@link #enqueue(MlflowWrite, String)} on behalf of QuantGate itself. */
    public long enqueue(MlflowWrite write) {
        return enqueue(write, "system");
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<OutboxItemView> list(String status, String after, int limit) {
        long cursor = Page.longCursor(after);
        String query = "id > :after";
        Parameters params = Parameters.with("after", cursor);
        if (status != null && !status.isBlank()) {
            String wanted = status.trim().toUpperCase(java.util.Locale.ROOT);
            if (!List.of(MlflowOutboxEntity.PENDING, MlflowOutboxEntity.SENT, MlflowOutboxEntity.PARKED).contains(wanted)) {
                throw new ApiException(ErrorCode.BAD_REQUEST,
                        "status must be one of PENDING, SENT, PARKED, was '" + status + "'");
            }
            query += " and status = :status";
            params.and("status", wanted);
        }
        List<OutboxItemView> rows = MlflowOutboxEntity.<MlflowOutboxEntity>find(query, Sort.by("id"), params)
                .page(0, limit + 1).list().stream().map(MlflowOutbox::view).toList();
        return Page.of(rows, limit, v -> Long.toString(v.id()));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public OutboxItemView get(long id) {
        return view(require(id));
    }

    /** Puts a parked write back in line, to be sent on the next dispatch (the API call is audited). */
    public OutboxItemView retry(long id) {
        MlflowOutboxEntity row = MlflowOutboxEntity.<MlflowOutboxEntity>findByIdOptional(id,
                        jakarta.persistence.LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> notFound(id));
        if (!MlflowOutboxEntity.PARKED.equals(row.status)) {
            throw new ApiException(ErrorCode.CONFLICT, "Outbox item " + id + " is " + row.status
                    + "; only a PARKED item can be retried");
        }
        row.status = MlflowOutboxEntity.PENDING;
        row.nextAttemptAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        afterCommit.run(dispatcher::wake);
        return view(row);
    }

    private static MlflowOutboxEntity require(long id) {
        return MlflowOutboxEntity.<MlflowOutboxEntity>findByIdOptional(id).orElseThrow(() -> notFound(id));
    }

    private static ApiException notFound(long id) {
        return new ApiException(ErrorCode.NOT_FOUND, "No MLflow outbox item has id " + id);
    }

    static String subject(MlflowOutboxEntity row) {
        return "mlflow-outbox:" + row.id;
    }

    static Map<String, Object> details(MlflowOutboxEntity row) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("model", row.modelName);
        payload.put("write", row.description);
        payload.put("attempts", row.attempts);
        return payload;
    }

    static OutboxItemView view(MlflowOutboxEntity r) {
        return new OutboxItemView(r.id, r.modelName, r.description, r.kind, r.writeJson, r.httpMethod, r.path, r.body,
                r.status, r.attempts, r.nextAttemptAt, r.lastError, r.createdAt, r.createdBy, r.sentAt, r.result);
    }
}
