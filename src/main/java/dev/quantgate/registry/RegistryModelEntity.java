package dev.quantgate.registry;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Optional;

/** A registered model in the mirror. */
@Entity
@Table(name = "registry_model")
public class RegistryModelEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 500)
    public String name;

    @Column(columnDefinition = "text")
    public String description;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "mirrored_at", nullable = false)
    public Instant mirroredAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "deleted_at")
    public Instant deletedAt;

    public static Optional<RegistryModelEntity> findByName(String name) {
        return find("name", name).firstResultOptional();
    }

    /** The model row locked for update: every mirror change to one model is serialised on it. */
    public static Optional<RegistryModelEntity> lockByName(String name) {
        return find("name", name).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }
}
