package dev.quantgate.mlflow.outbox;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One write to MLflow waiting to be sent, sent, or parked. */
@Entity
@Table(name = "mlflow_outbox")
public class MlflowOutboxEntity extends PanacheEntityBase {

    public static final String PENDING = "PENDING";
    public static final String SENT = "SENT";
    public static final String PARKED = "PARKED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "model_name", nullable = false, length = 500)
    public String modelName;

    @Column(nullable = false, length = 500)
    public String description;

    /** The write's kind ({@code set-alias}, {@code create-job-run}, ...). */
    @Column(nullable = false, length = 40)
    public String kind;

    /** The write's canonical JSON, from which it is rebuilt (see {@code MlflowWriteJson}). */
    @Column(name = "write_json", nullable = false, columnDefinition = "text")
    public String writeJson;

    /** The REST call of a one-call write; {@code null} for a composite write. */
    @Column(name = "http_method", length = 10)
    public String httpMethod;

    @Column(length = 200)
    public String path;

    @Column(columnDefinition = "text")
    public String body;

    /** MLflow's answer (a composite write's summary), once sent. */
    @Column(columnDefinition = "text")
    public String result;

    @Column(nullable = false, length = 10)
    public String status;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "next_attempt_at", nullable = false)
    public Instant nextAttemptAt;

    @Column(name = "last_error", columnDefinition = "text")
    public String lastError;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "created_by", nullable = false, length = 200)
    public String createdBy;

    @Column(name = "sent_at")
    public Instant sentAt;
}
