package dev.quantgate.jobs;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One failed attempt of a job (insert-only by use). */
@Entity
@Table(name = "quantization_job_error")
public class JobErrorEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id", nullable = false)
    public Long jobId;

    @Column(nullable = false)
    public int attempt;

    @Column(nullable = false, length = 200)
    public String code;

    @Column(nullable = false, columnDefinition = "text")
    public String message;

    @Column(name = "worker_id", length = 200)
    public String workerId;

    @Column(nullable = false)
    public Instant at;
}
