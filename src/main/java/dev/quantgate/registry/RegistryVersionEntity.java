package dev.quantgate.registry;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Optional;

/** A model version in the mirror. */
@Entity
@Table(name = "registry_version")
public class RegistryVersionEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "model_id", nullable = false)
    public Long modelId;

    @Column(nullable = false)
    public int version;

    @Column(columnDefinition = "text")
    public String source;

    @Column(name = "run_id", length = 100)
    public String runId;

    @Column(length = 50)
    public String status;

    @Column(columnDefinition = "text")
    public String description;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "current_stage", nullable = false, length = 50)
    public String currentStage;

    @Column(name = "deleted_at")
    public Instant deletedAt;

    @Column(name = "mirrored_at", nullable = false)
    public Instant mirroredAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public static Optional<RegistryVersionEntity> findVersion(long modelId, int version) {
        return find("modelId = ?1 and version = ?2", modelId, version).firstResultOptional();
    }
}
