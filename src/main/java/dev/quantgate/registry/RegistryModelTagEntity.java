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

/** One tag of a registered model in the mirror. */
@Entity
@Table(name = "registry_model_tag")
public class RegistryModelTagEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "model_id", nullable = false)
    public Long modelId;

    @Column(name = "tag_key", nullable = false, length = 250)
    public String key;

    @Column(name = "tag_value", nullable = false, columnDefinition = "text")
    public String value;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public static Optional<RegistryModelTagEntity> findTag(long modelId, String key) {
        return find("modelId = ?1 and key = ?2", modelId, key).firstResultOptional();
    }
}
