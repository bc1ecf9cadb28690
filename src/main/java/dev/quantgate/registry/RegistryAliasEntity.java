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

/** Where an alias of a registered model points now. */
@Entity
@Table(name = "registry_alias")
public class RegistryAliasEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "model_id", nullable = false)
    public Long modelId;

    @Column(nullable = false, length = 256)
    public String alias;

    @Column(nullable = false)
    public int version;

    @Column(nullable = false)
    public Instant since;

    public static Optional<RegistryAliasEntity> findAlias(long modelId, String alias) {
        return find("modelId = ?1 and alias = ?2", modelId, alias).firstResultOptional();
    }
}
