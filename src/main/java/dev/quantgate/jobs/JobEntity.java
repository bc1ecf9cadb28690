package dev.quantgate.jobs;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One quantization job (rows are inserted by the planner's {@code INSERT ... ON CONFLICT DO NOTHING}). */
@Entity
@Table(name = "quantization_job")
public class JobEntity extends PanacheEntityBase {

    @Id
    public Long id;

    @Column(name = "model_name", nullable = false, length = 500)
    public String modelName;

    @Column(nullable = false)
    public int version;

    @Column(nullable = false, length = 50)
    public String scheme;

    @Column(name = "spec_json", nullable = false, columnDefinition = "text")
    public String specJson;

    @Column(name = "spec_sha256", nullable = false, length = 64)
    public String specSha256;

    @Column(name = "policy_name", nullable = false, length = 63)
    public String policyName;

    @Column(name = "policy_sha256", nullable = false, length = 64)
    public String policySha256;

    @Column(nullable = false, length = 3)
    public String requirement;

    @Column(name = "cpu_fallback", nullable = false)
    public boolean cpuFallback;

    @Column(nullable = false, length = 20)
    public String state;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "next_attempt_at", nullable = false)
    public Instant nextAttemptAt;

    @Column(name = "claim_token", length = 64)
    public String claimToken;

    @Column(name = "claimed_until")
    public Instant claimedUntil;

    @Column(name = "applied_token", length = 64)
    public String appliedToken;

    @Column(name = "worker_id", length = 200)
    public String workerId;

    @Column(name = "ran_on_fallback", nullable = false)
    public boolean ranOnFallback;

    @Column(length = 20)
    public String stage;

    public Integer percent;

    @Column(name = "stage_since")
    public Instant stageSince;

    @Column(name = "run_id", length = 100)
    public String runId;

    @Column(name = "run_artifact_uri", columnDefinition = "text")
    public String runArtifactUri;

    @Column(name = "evidence_sha256", length = 64)
    public String evidenceSha256;

    @Column(name = "variant_version")
    public Integer variantVersion;

    @Column(name = "error_code", length = 200)
    public String errorCode;

    @Column(name = "error_message", columnDefinition = "text")
    public String errorMessage;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    public JobState jobState() {
        return JobState.of(state);
    }

    /** The job, locked for the rest of the transaction. */
    public static Optional<JobEntity> locked(long id) {
        return findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /** Every job of a source version, oldest first. */
    public static List<JobEntity> ofVersion(String model, int version) {
        return list("modelName = ?1 and version = ?2 order by id", model, version);
    }

    String subject() {
        return "job:" + id;
    }

    String sourceSubject() {
        return "model:" + modelName + "/version:" + version;
    }
}
